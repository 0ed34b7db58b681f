import type { Command } from 'commander';

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description(
      'what this machine offers: Node, Docker engine, compose, PostgreSQL binaries, and the runtime auto would pick',
    )
    .option('--json', 'print the report as JSON')
    .action(async (options: { json?: boolean }) => {
      // A report, not a gate: missing pieces are listed, the exit code stays 0.
      const { runDoctor } = await import('../doctor/probes.ts');
      const { formatDoctor } = await import('../doctor/format.ts');
      const report = await runDoctor();
      process.stdout.write(options.json ? `${JSON.stringify(report, null, 2)}\n` : formatDoctor(report));
    });
}
