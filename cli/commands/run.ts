import { existsSync, globSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { badInput } from '../../common/errors.ts';
import {
  BUNDLED_SCENARIOS_DIR,
  formatProblems,
  loadScenarioFile,
  parseScenario,
  resolveScenario,
  type ScenarioProblem,
} from '../chaos/loader.ts';
import { warmStackOrder } from '../chaos/stack.ts';
import { parseSeed } from './chaos.ts';
import { interruptible, parseKit } from './up.ts';

const isScenarioFile = (file: string) => /\.ya?ml$/.test(file);

/** Files, folders (their *.yaml) and globs → scenario files, in the order given, without repeats. */
export function expandScenarioArguments(args: string[]): string[] {
  const files: string[] = [];
  for (const arg of args.length > 0 ? args : [BUNDLED_SCENARIOS_DIR]) {
    let matched: string[];
    if (existsSync(arg) && statSync(arg).isDirectory())
      matched = globSync('*.{yaml,yml}', { cwd: arg }).map((file) => path.join(arg, file));
    else if (existsSync(arg)) matched = [arg];
    else matched = globSync(arg).filter(isScenarioFile);
    // A bundled scenario's name, as `lab chaos` takes it (resolveScenario refuses with the closest).
    if (matched.length === 0 && /^[\w.-]+$/.test(arg)) matched = [resolveScenario(arg)];
    if (matched.length === 0) throw badInput('E_NO_SCENARIOS', `no scenario files match '${arg}'`);
    for (const file of matched.sort())
      if (!files.includes(path.resolve(file))) files.push(path.resolve(file));
  }
  return files;
}

/** --seed N or --seeds 1,2,3 (not both); none: each file's own seed. */
export function parseSeedList(
  seed: string | undefined,
  seeds: string | undefined,
): Array<number | undefined> {
  if (seed !== undefined && seeds !== undefined)
    throw badInput('E_BAD_SEED', '--seed and --seeds are exclusive', 'Use --seeds 7 for one seed.');
  if (seeds !== undefined) {
    const list = seeds.split(',').map((value) => parseSeed(value.trim()));
    if (list.length === 0)
      throw badInput('E_BAD_SEED', '--seeds needs at least one seed, e.g. --seeds 1,2,3');
    return list;
  }
  return [parseSeed(seed)];
}

function parseRepeat(value: string): number {
  const repeat = Number(value);
  if (!/^\d+$/.test(value) || repeat < 1 || repeat > 1000)
    throw badInput('E_BAD_REPEAT', `--repeat must be a whole number from 1 to 1000, got '${value}'`);
  return repeat;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run a suite of scenarios; one verdict, exit 0 only when every expectation is met')
    .argument('[files-or-globs...]', 'scenario files, folders or globs (default: the bundled scenarios)')
    .option('--junit <file>', 'write a JUnit XML report for the whole suite')
    .option('--runtime <runtime>', 'auto | local | docker', 'auto')
    .option('--seed <n>', 'one seed for every scenario (overrides the files)')
    .option('--seeds <list>', 'run every scenario once per seed, e.g. 1,2,3 (overrides the files)')
    .option('--repeat <n>', 'run the whole suite n times', '1')
    .option('--kit <kit>', "reference | fast for every scenario (overrides each file's stack.kit)")
    .option('--fail-fast', 'stop at the first scenario whose expectation is not met')
    .option('--keep', 'leave the stack running afterwards')
    .option('--json', 'print the results as JSON')
    .action(
      async (
        args: string[],
        options: {
          junit?: string;
          runtime: string;
          seed?: string;
          seeds?: string;
          repeat: string;
          kit?: string;
          failFast?: boolean;
          keep?: boolean;
          json?: boolean;
        },
      ) => {
        const seeds = parseSeedList(options.seed, options.seeds);
        const repeat = parseRepeat(options.repeat);
        const kit = parseKit(options.kit);
        const files = expandScenarioArguments(args);
        // Every file is validated before the first one runs: a typo in the last file costs nothing.
        const problems: ScenarioProblem[] = [];
        for (const file of files) {
          const parsed = parseScenario(
            readFileSync(file, 'utf8'),
            path.relative(process.cwd(), file) || file,
          );
          problems.push(...parsed.problems);
        }
        if (problems.length > 0)
          throw badInput('E_SCENARIO_INVALID', `invalid scenarios:\n${formatProblems(problems)}`);
        const loaded = warmStackOrder(
          files.map((file) => loadScenarioFile(file)),
          kit,
        );
        // Each round runs every scenario once per seed; a file's own seed when no seed is given.
        const runs = Array.from({ length: repeat }, () =>
          loaded.flatMap((entry) => seeds.map((seed) => ({ loaded: entry, seed }))),
        ).flat();
        const { runSession } = await import('../chaos/session.ts'); // see chaos.ts
        const outcome = await interruptible((signal) =>
          runSession({
            scenarios: runs.map((run) => run.loaded),
            seeds: runs.map((run) => run.seed),
            failFast: options.failFast ?? false,
            kit,
            runtime: options.runtime,
            keep: options.keep ?? false,
            junitFile: options.junit,
            json: options.json ?? false,
            signal,
          }),
        );
        process.exitCode = outcome.exitCode;
      },
    );
}
