/**
 * What `lab chaos` and `lab run` share: pick the runtime, manage the stack around the runs, show
 * progress (ink on a TTY, lines otherwise), print summaries, write JUnit, and turn results into an
 * exit code. Ctrl-C aborts the signal: the engine heals, and the exit code is 130.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ExitCode } from '../../common/errors.ts';
import { interruptionOf } from '../runtime/lifecycle.ts';
import { createRuntime, parseRuntimeChoice, selectRuntime } from '../runtime/select.ts';
import type { EngineEvent } from './engine.ts';
import { runScenario } from './engine.ts';
import { junitXml } from './junit.ts';
import type { LoadedScenario } from './loader.ts';
import type { RunResult } from './result.ts';
import { StackManager } from './stack.ts';
import { startLiveView } from './ui/live.ts';
import { plainReporter } from './ui/plain.ts';
import { runSummary, suiteSummary } from './ui/summary.ts';

export interface SessionOptions {
  scenarios: LoadedScenario[];
  /** --seed for every scenario; or `seeds`, one per entry of `scenarios` (lab run --seeds/--repeat). */
  seed?: number;
  seeds?: Array<number | undefined>;
  /** Stop after the first scenario whose expectation is not met. */
  failFast?: boolean;
  runtime: string;
  keep: boolean;
  /** Only for a single scenario: its run directory. */
  outDir?: string;
  junitFile?: string;
  /** Print the result(s) as JSON on stdout; progress goes to stderr. */
  json: boolean;
  signal: AbortSignal;
  env?: NodeJS.ProcessEnv;
}

function wantsLiveView(json: boolean, env: NodeJS.ProcessEnv): boolean {
  return !json && process.stdout.isTTY === true && env.CI !== 'true' && env.CI !== '1';
}

export interface SessionOutcome {
  results: RunResult[];
  exitCode: number;
}

export async function runSession(options: SessionOptions): Promise<SessionOutcome> {
  const env = options.env ?? process.env;
  const out = (text: string) => (options.json ? process.stderr : process.stdout).write(text);
  const choice = parseRuntimeChoice(options.runtime);
  const selection = await selectRuntime(choice);
  out(`runtime: ${selection.name} (${selection.reason})\n`);
  const runtime = await createRuntime(selection.name);
  const plain = plainReporter((line) => out(`${line}\n`));
  // While the live view owns the terminal, stack messages go through it instead of stdout.
  let stackLog = (message: string): void => {
    out(`${message}\n`);
  };
  const stack = new StackManager(runtime, { keep: options.keep, log: (message) => stackLog(message) });
  const started = Date.now();
  const results: RunResult[] = [];
  let exitCode: number = ExitCode.ok;
  try {
    for (const [index, loaded] of options.scenarios.entries()) {
      if (options.signal.aborted) break;
      const live = wantsLiveView(options.json, env) ? startLiveView() : undefined;
      const onEvent = (event: EngineEvent) => (live ? live.onEvent(event) : plain(event));
      if (live)
        stackLog = (message) => {
          live.onEvent({ type: 'log', message });
        };
      let result: RunResult;
      try {
        result = await runScenario({
          loaded,
          seed: options.seeds?.[index] ?? options.seed,
          stack,
          outDir: options.scenarios.length === 1 ? options.outDir : undefined,
          signal: options.signal,
          onEvent,
        });
      } finally {
        await live?.stop();
        stackLog = (message) => {
          out(`${message}\n`);
        };
      }
      results.push(result);
      out(runSummary(result));
      if (options.signal.aborted || result.exitCode === ExitCode.infrastructure) {
        exitCode = result.exitCode;
        break;
      }
      if (!result.expectationMet) {
        exitCode = ExitCode.expectationNotMet;
        if (options.failFast && index < options.scenarios.length - 1) {
          out(
            `--fail-fast: stopping after ${result.scenario} (seed ${result.seed}); ${options.scenarios.length - index - 1} run(s) skipped\n`,
          );
          break;
        }
      }
    }
  } finally {
    await stack
      .release({ interrupted: options.signal.aborted })
      .catch((error: Error) => out(`could not stop the stack: ${error.message}\n`));
  }
  if (options.signal.aborted) exitCode = interruptionOf(options.signal)?.exitCode ?? ExitCode.interrupted;
  if (options.scenarios.length > 1) out(suiteSummary(results, Date.now() - started));
  if (options.junitFile) {
    mkdirSync(path.dirname(path.resolve(options.junitFile)), { recursive: true });
    writeFileSync(
      options.junitFile,
      junitXml(results, options.scenarios.length > 1 ? 'lab run' : (results[0]?.scenario ?? 'lab')),
    );
  }
  if (options.json)
    process.stdout.write(
      `${JSON.stringify(options.scenarios.length === 1 ? results[0] : { exitCode, results }, null, 2)}\n`,
    );
  return { results, exitCode };
}
