import type { Command } from 'commander';
import { notYetAvailable } from '../not-yet.ts';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description(
      'what this machine offers: Node, Docker engine, compose, PostgreSQL binaries, and the runtime auto would pick',
    )
    .option('--json', 'print the report as JSON')
    .action(notYetAvailable('doctor', 'foundation'));
}
