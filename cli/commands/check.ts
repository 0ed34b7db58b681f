import type { Command } from 'commander';

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description(
      'recompute every check of a stored run from its run directory alone (works after `lab down --purge`)',
    )
    .argument('<run>', 'a run id, a run directory, or `latest`')
    .option('--json', 'print the recomputed result as JSON')
    .action(async (name: string, options: { json?: boolean }) => {
      const { resolveRun } = await import('../chaos/rundir.ts');
      const { recheckRun } = await import('../report/recheck.ts');
      const { runSummary } = await import('../chaos/ui/summary.ts');
      const { recomputed, differences } = recheckRun(resolveRun(name));
      if (options.json) process.stdout.write(`${JSON.stringify({ ...recomputed, differences }, null, 2)}\n`);
      else {
        process.stdout.write(runSummary(recomputed));
        process.stdout.write(
          differences.length === 0
            ? 'recomputed from the run directory: same verdicts and evidence as the live run\n'
            : `recomputed from the run directory: differs from the live run:\n${differences.map((line) => `  ${line}`).join('\n')}\n`,
        );
      }
      process.exitCode = recomputed.exitCode;
    });
}
