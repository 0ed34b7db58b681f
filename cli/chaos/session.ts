/**
 * What `lab chaos` and `lab run` share: pick the runtime, manage the stack around the runs, show
 * progress (ink on a TTY, lines otherwise), print summaries, write JUnit, and turn results into an
 * exit code. Ctrl-C aborts the signal: the engine heals, and the exit code is 130.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ExitCode } from '../../common/errors.ts';
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
  seed?: number;
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
    for (const loaded of options.scenarios) {
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
          seed: options.seed,
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
      if (result.exitCode === ExitCode.interrupted || result.exitCode === ExitCode.infrastructure) {
        exitCode = result.exitCode;
        break;
      }
      if (!result.expectationMet) exitCode = ExitCode.expectationNotMet;
    }
  } finally {
    await stack.release().catch((error: Error) => out(`could not stop the stack: ${error.message}\n`));
  }
  if (options.signal.aborted) exitCode = ExitCode.interrupted;
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
