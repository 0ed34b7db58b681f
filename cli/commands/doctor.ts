import type { Command } from 'commander';
import { formatDoctor } from '../doctor/format.ts';
import { runDoctor } from '../doctor/probes.ts';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description(
      'what this machine offers: Node, Docker engine, compose, PostgreSQL binaries, and the runtime auto would pick',
    )
    .option('--json', 'print the report as JSON')
    .action(async (options: { json?: boolean }) => {
      // A report, not a gate: missing pieces are listed, the exit code stays 0.
      const report = await runDoctor();
      process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatDoctor(report));
    });
}
