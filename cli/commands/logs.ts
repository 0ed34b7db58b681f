import type { Command } from 'commander';
import { badInput, ExitCode, LabError } from '../../common/errors.ts';
import { interruptible } from './up.ts';

/** How long the logs may be quiet before what came so far counts as the backlog `--tail` cuts. */
const BACKLOG_QUIET_MS = 300;

/**
 * --tail N: the backlog a runtime prints first is held back and only its last N lines are
 * written; whatever arrives after it (with --follow) passes straight through.
 */
export function tailWriter(lines: number, write: (chunk: string) => void) {
  let held: string[] | undefined = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (!held) return;
    clearTimeout(timer);
    const text = held.join('');
    held = undefined;
    const all = text.split('\n');
    const complete = text.endsWith('\n') ? all.slice(0, -1) : all;
    const kept = lines === 0 ? [] : complete.slice(-lines);
    if (kept.length > 0) write(`${kept.join('\n')}${text.endsWith('\n') ? '\n' : ''}`);
  };
  return {
    write(chunk: string) {
      if (!held) return write(chunk);
      held.push(chunk);
      clearTimeout(timer);
      timer = setTimeout(flush, BACKLOG_QUIET_MS);
    },
    flush,
  };
}

export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description('print the logs of one service (or all of them)')
    .argument('[service]', 'a service or infra piece (postgres, kafka, fault-proxy)')
    .option('-f, --follow', 'keep printing new lines')
    .option('-n, --tail <lines>', 'only the last N lines of what is there already')
    .action(async (service: string | undefined, options: { follow?: boolean; tail?: string }) => {
      const tail = options.tail === undefined ? undefined : Number(options.tail);
      if (tail !== undefined && (!Number.isInteger(tail) || tail < 0))
        throw badInput('E_BAD_OPTION', `--tail must be a whole number of lines, got '${options.tail}'`);
      const { runtimeOfRunningStack } = await import('../runtime/select.ts');
      const runtime = await runtimeOfRunningStack();
      const output = (chunk: string) => process.stdout.write(chunk);
      const writer = tail === undefined ? { write: output, flush: () => {} } : tailWriter(tail, output);
      const interrupted = await interruptible(async (signal) => {
        try {
          await runtime.logs(service, { follow: options.follow ?? false, signal, write: writer.write });
        } finally {
          writer.flush();
        }
        return signal.aborted;
      });
      if (interrupted)
        throw new LabError('E_INTERRUPTED', 'stopped following the logs.', {
          exitCode: ExitCode.interrupted,
        });
    });
}
