import type { Command } from 'commander';
import { notYetAvailable } from '../not-yet.ts';

export function registerChaos(program: Command): void {
  program
    .command('chaos')
    .description(
      'run one scenario: workload, faults, heal, settle, checks; exit 0 when its expectation is met',
    )
    .argument('<scenario>', 'a bundled scenario name (see `lab scenarios`) or a path to a .yaml file')
    .option('--seed <n>', 'seed for the workload and fault choices (overrides the file)')
    .option('--runtime <runtime>', 'auto | local | docker', 'auto')
    .option('--keep', 'leave the stack running afterwards')
    .option('--out <dir>', 'write the run directory here instead of .lab/runs/<id>')
    .option('--junit <file>', 'also write a JUnit XML report to this file')
    .option('--json', 'print the result as JSON')
    .action(notYetAvailable('chaos', 'scenarios'));
}
