import type { Command } from 'commander';
import { badInput } from '../../common/errors.ts';
import { loadScenarioFile, resolveScenario } from '../chaos/loader.ts';
import { interruptible } from './up.ts';

export function parseSeed(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value)))
    throw badInput('E_BAD_SEED', `--seed must be a non-negative integer, got '${value}'`);
  return Number(value);
}

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
    .action(
      async (
        name: string,
        options: {
          seed?: string;
          runtime: string;
          keep?: boolean;
          out?: string;
          junit?: string;
          json?: boolean;
        },
      ) => {
        // Everything about the input is checked before anything starts (exit 2).
        const seed = parseSeed(options.seed);
        const loaded = loadScenarioFile(resolveScenario(name));
        // Loaded only when a scenario runs: the session pulls in ink and the runtimes (seconds of
        // start-up that every other command would pay).
        const { runSession } = await import('../chaos/session.ts');
        const outcome = await interruptible((signal) =>
          runSession({
            scenarios: [loaded],
            seed,
            runtime: options.runtime,
            keep: options.keep ?? false,
            outDir: options.out,
            junitFile: options.junit,
            json: options.json ?? false,
            signal,
          }),
        );
        process.exitCode = outcome.exitCode;
      },
    );
}
