/**
 * Searching for failures instead of writing them down. `explore` runs one scenario over many
 * seeds (each seed draws another workload, other fault decisions and, for `random:` entries,
 * another schedule) on one warm stack, and keeps every run where a check found an anomaly.
 * `shrinkRun` takes such a run and searches (shrink.ts) for the smallest scenario that still makes
 * the same checks fail with the same seed, and writes it beside the run as `minimal.yaml`, an
 * ordinary scenario file whose expectation is that anomaly.
 *
 * Explore looks for anomalies whatever the file expects: for a scenario that expects `valid` a
 * finding is a failed expectation (a bug to shrink); for one that expects `invalid` (a pattern
 * switched off) it is the anomaly shown, which shrinking then reduces to its smallest cause.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { badInput, ExitCode } from '../../common/errors.ts';
import type { Runtime } from '../runtime/types.ts';
import type { CheckResult } from './checks/types.ts';
import { runScenario } from './engine.ts';
import { formatProblems, type LoadedScenario, parseScenario } from './loader.ts';
import type { RunResult } from './result.ts';
import { type ScenarioDocument, type ShrinkStep, shrink } from './shrink.ts';
import { StackManager } from './stack.ts';

export interface ExplorationOptions {
  runtime: Runtime;
  signal: AbortSignal;
  log(message: string): void;
}

/** The checks a run found invalid. */
export function anomalies(result: RunResult): string[] {
  return result.checks.filter((check: CheckResult) => check.verdict === 'invalid').map((check) => check.name);
}

/** A run that could not test anything (the stack failed, Ctrl-C) ends an exploration. */
function stopsExploration(result: RunResult): boolean {
  return result.exitCode === ExitCode.infrastructure || result.exitCode === ExitCode.interrupted;
}

export interface Finding {
  seed: number;
  checks: string[];
  runDir: string;
}

export interface ExploreOutcome {
  runs: number;
  findings: Finding[];
  stoppedBy: 'budget' | 'seeds' | 'interrupted' | 'infrastructure';
}

export async function explore(
  loaded: LoadedScenario,
  options: ExplorationOptions & {
    /** Seeds to try, in order. */
    seeds: Iterable<number>;
    /** No run starts after this time (epoch ms). */
    deadline: number;
    onRun?(result: RunResult, found: string[]): void;
  },
): Promise<ExploreOutcome> {
  const stack = new StackManager(options.runtime, { keep: false, log: options.log });
  const findings: Finding[] = [];
  let runs = 0;
  let stoppedBy: ExploreOutcome['stoppedBy'] = 'seeds';
  try {
    for (const seed of options.seeds) {
      if (options.signal.aborted) {
        stoppedBy = 'interrupted';
        break;
      }
      if (Date.now() >= options.deadline) {
        stoppedBy = 'budget';
        break;
      }
      const result = await runScenario({ loaded, seed, stack, signal: options.signal });
      runs += 1;
      if (stopsExploration(result)) {
        stoppedBy = result.exitCode === ExitCode.interrupted ? 'interrupted' : 'infrastructure';
        break;
      }
      const found = anomalies(result);
      options.onRun?.(result, found);
      if (found.length > 0) findings.push({ seed, checks: found, runDir: result.runDir });
      // Only the runs that found something are worth keeping.
      else rmSync(result.runDir, { recursive: true, force: true });
    }
  } finally {
    await stack.release();
  }
  return { runs, findings, stoppedBy };
}

/** What a failing run directory holds that shrinking needs. */
export interface FailingRun {
  runDir: string;
  seed: number;
  document: ScenarioDocument;
  /** The checks it failed; a candidate must fail every one of them. */
  checks: string[];
}

export function readFailingRun(runDir: string, only?: string[]): FailingRun {
  const read = (file: string) => {
    try {
      return readFileSync(path.join(runDir, file), 'utf8');
    } catch {
      throw badInput('E_NOT_A_RUN', `${runDir} is not a run directory (no ${file}).`, 'See `lab runs`.');
    }
  };
  const result = JSON.parse(read('result.json')) as RunResult;
  const failed = anomalies(result);
  const checks = only ?? failed;
  const missing = checks.filter((check) => !failed.includes(check));
  if (failed.length === 0)
    throw badInput(
      'E_NOTHING_TO_SHRINK',
      `run ${result.id} found no anomaly (every check valid or unknown): there is nothing to shrink.`,
      '`lab explore <scenario>` finds failing seeds.',
    );
  if (missing.length > 0)
    throw badInput(
      'E_CHECK_NOT_FAILED',
      `run ${result.id} did not fail ${missing.join(', ')} (it failed ${failed.join(', ')}).`,
    );
  return { runDir, seed: Number(read('seed').trim()), document: parse(read('scenario.yaml')), checks };
}

/** The candidate as a file: its own name, the seed, and the anomaly as its expectation. */
export function minimalDocument(run: FailingRun, document: ScenarioDocument): ScenarioDocument {
  const name = String(run.document.name);
  return {
    ...document,
    name: name.endsWith('-minimal') ? name : `${name}-minimal`,
    description: `The smallest variant of ${name} found that still fails ${run.checks.join(', ')} (shrunk from ${path.basename(run.runDir)}).`,
    seed: run.seed,
    expect: {
      ...(document.expect as Record<string, unknown> | undefined),
      verdict: 'invalid',
      detected_by: run.checks,
    },
  };
}

function load(document: ScenarioDocument, file: string): LoadedScenario {
  const source = stringify(document, { lineWidth: 0 });
  const parsed = parseScenario(source, file);
  if (!parsed.scenario)
    throw new Error(`a shrink candidate does not parse:\n${formatProblems(parsed.problems)}`);
  writeFileSync(file, source);
  return { scenario: parsed.scenario, file, source };
}

export interface ShrinkRunOutcome {
  minimalFile: string;
  minimal: ScenarioDocument;
  steps: ShrinkStep[];
  exhausted: boolean;
}

export async function shrinkRun(
  run: FailingRun,
  options: ExplorationOptions & {
    maxAttempts: number;
    confirmations: number;
    deadline: number;
    onStep?(step: ShrinkStep): void;
  },
): Promise<ShrinkRunOutcome> {
  const workDir = path.join(run.runDir, 'shrink');
  mkdirSync(workDir, { recursive: true });
  const stack = new StackManager(options.runtime, { keep: false, log: options.log });
  try {
    const result = await shrink({
      initial: run.document,
      maxAttempts: options.maxAttempts,
      confirmations: options.confirmations,
      deadline: options.deadline,
      signal: options.signal,
      onStep: options.onStep,
      stillFails: async (document, attempt) => {
        const loaded = load(minimalDocument(run, document), path.join(workDir, `candidate-${attempt}.yaml`));
        const outcome = await runScenario({
          loaded,
          seed: run.seed,
          stack,
          signal: options.signal,
          outDir: path.join(workDir, `run-${attempt}`),
        });
        if (stopsExploration(outcome)) throw new Error(outcome.error ?? 'the run could not complete');
        const found = anomalies(outcome);
        return run.checks.every((check) => found.includes(check));
      },
    });
    const minimalFile = path.join(run.runDir, 'minimal.yaml');
    const minimal = minimalDocument(run, result.minimal);
    writeFileSync(minimalFile, stringify(minimal, { lineWidth: 0 }));
    return { minimalFile, minimal, steps: result.steps, exhausted: result.exhausted };
  } finally {
    await stack.release();
  }
}
