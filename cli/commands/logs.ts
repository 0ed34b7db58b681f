import type { Command } from 'commander';
import { notYetAvailable } from '../not-yet.ts';

export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description('print the logs of one service (or all of them)')
    .argument('[service]', 'a service or infra piece (postgres, kafka, fault-proxy)')
    .option('-f, --follow', 'keep printing new lines')
    .action(notYetAvailable('logs', 'foundation'));
}
