import type { Command } from 'commander';
import { ExitCode, LabError } from '../../common/errors.ts';
import { interruptible } from './up.ts';

export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description('print the logs of one service (or all of them)')
    .argument('[service]', 'a service or infra piece (postgres, kafka, fault-proxy)')
    .option('-f, --follow', 'keep printing new lines')
    .action(async (service: string | undefined, options: { follow?: boolean }) => {
      const { runtimeOfRunningStack } = await import('../runtime/select.ts');
      const runtime = await runtimeOfRunningStack();
      const interrupted = await interruptible(async (signal) => {
        await runtime.logs(service, {
          follow: options.follow ?? false,
          signal,
          write: (chunk) => process.stdout.write(chunk),
        });
        return signal.aborted;
      });
      if (interrupted)
        throw new LabError('E_INTERRUPTED', 'stopped following the logs.', {
          exitCode: ExitCode.interrupted,
        });
    });
}
