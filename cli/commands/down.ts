import type { Command } from 'commander';
import { notYetAvailable } from '../not-yet.ts';

export function registerDown(program: Command): void {
  program
    .command('down')
    .description('stop everything the stack runs')
    .option('--purge', 'also delete data (databases, broker log)')
    .action(notYetAvailable('down', 'foundation'));
}
