import type { Command } from 'commander';

export function registerDown(program: Command): void {
  program
    .command('down')
    .description('stop everything the stack runs')
    .option('--purge', 'also delete data (databases, broker log)')
    .action(async (options: { purge?: boolean }) => {
      const { runtimeOfRunningStack } = await import('../runtime/select.ts');
      const runtime = await runtimeOfRunningStack();
      const status = await runtime.status();
      await runtime.down({ purge: options.purge ?? false });
      const stopped = status.processes
        .filter((process) => process.state !== 'exited')
        .map((process) => process.name);
      if (stopped.length > 0)
        process.stdout.write(`Stopped ${stopped.join(', ')} (${runtime.name} runtime).\n`);
      else if (status.processes.length > 0)
        process.stdout.write('Every process of the stack had already exited; its state is cleaned up.\n');
      else process.stdout.write('No lab stack was running; nothing to stop.\n');
      if (options.purge) process.stdout.write('Deleted the data (databases, broker log); logs are kept.\n');
    });
}
