import type { Command } from 'commander';
import { notYetAvailable } from '../not-yet.ts';

export function registerScenarios(program: Command): void {
  program
    .command('scenarios')
    .description('list the bundled scenarios with their descriptions')
    .action(notYetAvailable('scenarios', 'scenarios'));
}
