import type { Command } from 'commander';

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write report.html for a stored run: one self-contained page that opens from file://')
    .argument('<run>', 'a run id, a run directory, or `latest`')
    .action(async (name: string) => {
      const { resolveRun } = await import('../chaos/rundir.ts');
      const { writeReport } = await import('../report/write.ts');
      const written = writeReport(resolveRun(name));
      process.stdout.write(
        `${written.file} (${(written.bytes / 1024).toFixed(0)} kB, written in ${written.ms} ms)\n`,
      );
    });
}
