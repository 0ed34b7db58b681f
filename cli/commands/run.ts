import type { Command } from 'commander';
import { notYetAvailable } from '../not-yet.ts';

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a suite of scenarios; one verdict, exit 0 only when every expectation is met')
    .argument('[files-or-globs...]', 'scenario files, folders or globs (default: the bundled scenarios)')
    .option('--junit <file>', 'write a JUnit XML report for the whole suite')
    .option('--runtime <runtime>', 'auto | local | docker', 'auto')
    .action(notYetAvailable('run', 'scenarios'));
}
