import type { Command } from 'commander';
import { notYetAvailable } from '../not-yet.ts';

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('start the stack, wait until it is healthy, print its endpoints; the stack keeps running')
    .option('--runtime <runtime>', 'auto | local | docker', 'auto')
    .option('--without <pattern...>', 'switch a pattern off: outbox | inbox | compensation')
    .action(notYetAvailable('up', 'foundation'));
}
