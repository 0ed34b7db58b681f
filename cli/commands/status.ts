import type { Command } from 'commander';
import type { StackStatus } from '../runtime/types.ts';
import { formatEndpoints, maskedEndpoints } from './up.ts';

function table(status: StackStatus): string {
  const header = ['NAME', 'KIND', 'STATE', 'HEALTH', 'PID', 'PORT'];
  const rows = status.processes.map((process) => [
    process.name,
    process.kind,
    process.state,
    process.state === 'running' ? (process.healthy ? 'healthy' : 'unhealthy') : '-',
    String(process.pid ?? process.containerId ?? '-'),
    String(process.port ?? '-'),
  ]);
  const widths = header.map((_, column) => Math.max(...[header, ...rows].map((row) => row[column]!.length)));
  return [header, ...rows]
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('every process of the running stack: pid, health, port')
    .option('--json', 'print the status as JSON')
    .action(async (options: { json?: boolean }) => {
      const { runtimeOfRunningStack } = await import('../runtime/select.ts');
      const status = await (await runtimeOfRunningStack()).status();
      if (options.json) {
        const printable = { ...status, endpoints: status.endpoints && maskedEndpoints(status.endpoints) };
        process.stdout.write(`${JSON.stringify(printable, null, 2)}\n`);
        return;
      }
      if (status.processes.length === 0) {
        process.stdout.write('No lab stack is running. Start one with `lab up`.\n');
        return;
      }
      const summary = status.running ? 'running' : 'stopped (every process has exited; `lab down` cleans up)';
      const { describeClock, LabClock } = await import('../../common/clock.ts');
      const clock = status.clock ? describeClock(LabClock.fromJSON(status.clock)) : 'real-time clock';
      process.stdout.write(
        `Stack: ${summary}, ${status.runtime} runtime, ${status.kit} kit${status.without.length ? `, without ${status.without.join(', ')}` : ''}, ${clock}\n\n${table(status)}\n`,
      );
      if (status.endpoints) process.stdout.write(`\nEndpoints:\n${formatEndpoints(status.endpoints)}\n`);
    });
}
