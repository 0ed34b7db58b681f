import type { Command } from 'commander';
import { notYetAvailable } from '../not-yet.ts';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('every process of the running stack: pid, health, port')
    .option('--json', 'print the status as JSON')
    .action(notYetAvailable('status', 'foundation'));
}
