import chalk from 'chalk';
import type { Command } from 'commander';

const VERDICT_COLOR: Record<string, (text: string) => string> = {
  valid: chalk.green,
  invalid: chalk.red,
  unknown: chalk.yellow,
};

export function registerRuns(program: Command): void {
  program
    .command('runs')
    .description('list the run directories, newest first, with their verdicts (`latest` names the first)')
    .option('--json', 'print them as JSON')
    .action(async (options: { json?: boolean }) => {
      const { listRuns, runsRoot } = await import('../chaos/rundir.ts');
      const runs = listRuns();
      if (options.json) {
        process.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
        return;
      }
      if (runs.length === 0) {
        process.stdout.write(`no runs in ${runsRoot()} yet (lab chaos <scenario> writes one)\n`);
        return;
      }
      const idWidth = Math.max(...runs.map((run) => run.id.length)) + 2;
      process.stdout.write(
        chalk.dim(`${'run'.padEnd(idWidth)}${'verdict'.padEnd(10)}${'expectation'.padEnd(13)}took\n`),
      );
      for (const run of runs) {
        const verdict = run.verdict ?? 'no result';
        const met = run.expectationMet === undefined ? '' : run.expectationMet ? 'met' : 'NOT met';
        const took = run.durationMs === undefined ? '' : `${(run.durationMs / 1000).toFixed(1)}s`;
        process.stdout.write(
          `${run.id.padEnd(idWidth)}${(VERDICT_COLOR[verdict] ?? chalk.dim)(verdict.padEnd(10))}${met.padEnd(13)}${took}\n`,
        );
      }
    });
}
