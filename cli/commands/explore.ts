/**
 * `lab explore <scenario>`: run a scenario over many seeds on one warm stack and list the seeds
 * where a check found an anomaly. `lab shrink <run>`: reduce such a run to `minimal.yaml`.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { badInput, ExitCode } from '../../common/errors.ts';
import { loadScenarioFile, resolveScenario } from '../chaos/loader.ts';
import { parseDuration } from '../chaos/units.ts';
import { labHome } from '../home.ts';
import { interruptible } from './up.ts';

function parseBudget(value: string): number {
  const parsed = parseDuration(value);
  if (typeof parsed === 'string' || parsed <= 0)
    throw badInput('E_BAD_BUDGET', `--budget ${value}: expected a duration like 90s, 5m or 1h.`);
  return parsed;
}

function parseCount(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const count = Number(value);
  if (!/^\d+$/.test(value) || count < 1)
    throw badInput('E_BAD_COUNT', `${option} ${value}: expected a whole number, 1 or more.`);
  return count;
}

/** A run directory by path, or `latest` for the newest one of this home. */
export function resolveRunDir(run: string): string {
  if (run === 'latest') {
    const runs = path.join(labHome(), 'runs');
    const newest = existsSync(runs) ? readdirSync(runs).sort().at(-1) : undefined;
    if (!newest) throw badInput('E_NO_RUNS', `no runs in ${runs} yet.`, 'Run `lab chaos <scenario>` first.');
    return path.join(runs, newest);
  }
  const byId = path.join(labHome(), 'runs', run);
  const dir = existsSync(path.join(byId, 'result.json')) ? byId : path.resolve(run);
  if (!existsSync(path.join(dir, 'result.json')))
    throw badInput('E_NOT_A_RUN', `'${run}' is not a run directory (no result.json).`, 'See `lab runs`.');
  return dir;
}

async function runtimeFor(choice: string) {
  const { createRuntime, parseRuntimeChoice, selectRuntime } = await import('../runtime/select.ts');
  const selection = await selectRuntime(parseRuntimeChoice(choice));
  process.stdout.write(`runtime: ${selection.name} (${selection.reason})\n`);
  return createRuntime(selection.name);
}

const say = (line: string) => process.stdout.write(`${line}\n`);

export function registerExplore(program: Command): void {
  program
    .command('explore')
    .description('run a scenario over many seeds on one warm stack; list the seeds where a check failed')
    .argument('<scenario>', 'a bundled scenario name or a path to a .yaml file')
    .option('--budget <duration>', 'start no run after this long', '10m')
    .option('--seeds <n>', 'try at most this many seeds (1, 2, 3, ...)')
    .option('--runtime <runtime>', 'auto | local | docker', 'auto')
    .action(async (name: string, options: { budget: string; seeds?: string; runtime: string }) => {
      const budgetMs = parseBudget(options.budget);
      const maxSeeds = parseCount('--seeds', options.seeds);
      const loaded = loadScenarioFile(resolveScenario(name));
      const { explore } = await import('../chaos/explore.ts');
      const runtime = await runtimeFor(options.runtime);
      const deadline = Date.now() + budgetMs;
      function* seeds() {
        for (let seed = 1; maxSeeds === undefined || seed <= maxSeeds; seed++) yield seed;
      }
      const outcome = await interruptible((signal) =>
        explore(loaded, {
          runtime,
          signal,
          seeds: seeds(),
          deadline,
          log: (message) => say(`  ${message}`),
          onRun: (result, found) =>
            say(
              `seed ${String(result.seed).padEnd(5)} ${found.length > 0 ? `FOUND  ${found.join(', ')}` : 'nothing found'}  (${(result.durationMs / 1000).toFixed(1)}s)`,
            ),
        }),
      );
      say('');
      say(`${outcome.runs} run(s) of ${loaded.scenario.name}, ${outcome.findings.length} with an anomaly`);
      if (outcome.findings.length > 0) {
        say('seed   failing checks                              run dir');
        for (const finding of outcome.findings)
          say(`${String(finding.seed).padEnd(6)} ${finding.checks.join(', ').padEnd(43)} ${finding.runDir}`);
        say(`shrink one: lab shrink ${outcome.findings[0]!.runDir}`);
      }
      if (outcome.stoppedBy === 'interrupted') process.exitCode = ExitCode.interrupted;
      else if (outcome.stoppedBy === 'infrastructure') process.exitCode = ExitCode.infrastructure;
      else process.exitCode = outcome.findings.length > 0 ? ExitCode.expectationNotMet : ExitCode.ok;
    });

  program
    .command('shrink')
    .description(
      'reduce a failing run to the smallest scenario that still fails the same checks (minimal.yaml)',
    )
    .argument('<run>', 'a run directory, its id, or `latest`')
    .option('--check <name...>', 'the checks that must keep failing (default: every one the run failed)')
    .option('--budget <duration>', 'start no candidate run after this long', '10m')
    .option('--max-runs <n>', 'at most this many candidate runs', '40')
    .option('--confirm <n>', 'keep a smaller variant only when it fails this many runs in a row', '2')
    .option('--runtime <runtime>', 'auto | local | docker', 'auto')
    .action(
      async (
        run: string,
        options: { check?: string[]; budget: string; maxRuns: string; confirm: string; runtime: string },
      ) => {
        const budgetMs = parseBudget(options.budget);
        const maxAttempts = parseCount('--max-runs', options.maxRuns)!;
        const confirmations = parseCount('--confirm', options.confirm)!;
        const { readFailingRun, shrinkRun } = await import('../chaos/explore.ts');
        const failing = readFailingRun(resolveRunDir(run), options.check);
        say(
          `shrinking ${failing.runDir}: must keep failing ${failing.checks.join(', ')} with seed ${failing.seed}`,
        );
        const runtime = await runtimeFor(options.runtime);
        const outcome = await interruptible((signal) =>
          shrinkRun(failing, {
            runtime,
            signal,
            maxAttempts,
            confirmations,
            deadline: Date.now() + budgetMs,
            log: () => {},
            onStep: (step) =>
              say(
                `  run ${step.attempt}: ${step.change}: ${step.kept ? `still fails (${confirmations}×), kept` : 'passes, undone'}`,
              ),
          }),
        );
        const faults = (outcome.minimal.faults ?? []).length;
        say('');
        say(
          `minimal: ${faults} fault(s), ${String(outcome.minimal.workload.orders)} order(s)${outcome.exhausted ? '' : ' (budget reached: maybe not the smallest)'}`,
        );
        say(`wrote ${outcome.minimalFile}`);
        say(`replay: lab chaos ${outcome.minimalFile}`);
      },
    );
}
