/**
 * The outcome of one run (result.json) and how a verdict and an exit code follow from the checks
 * and the scenario's expectation.
 */
import type { ClockJSON } from '../../common/clock.ts';
import { ExitCode } from '../../common/errors.ts';
import type { CheckResult, Verdict } from './checks/types.ts';
import type { CheckName, OutcomeName } from './schema.ts';

export interface FaultLogEntry {
  fault: number;
  kind: string;
  target: string;
  startedMs?: number;
  healedMs?: number;
  error?: string;
  /** The fault could not be applied: the run did not test what the scenario says. */
  startFailed?: boolean;
}

export interface RunResult {
  id: string;
  scenario: string;
  description: string;
  file: string;
  seed: number;
  runtime: string;
  without: string[];
  /** Which implementation of the patterns the services ran. */
  kit: string;
  /** The stack's lab clock (absent: a run from before the clock, real time). */
  clock?: ClockJSON;
  startedAt: string;
  durationMs: number;
  runDir: string;
  expected: 'valid' | 'invalid';
  /** valid: every check valid; invalid: some check found an anomaly; unknown: neither could be decided. */
  verdict: Verdict;
  expectationMet: boolean;
  /** Why the expectation was (not) met, in one sentence. */
  explanation: string;
  exitCode: number;
  checks: CheckResult[];
  /** The steady-state probes (scenario `steady_state`), when the scenario has some. */
  steadyState?: SteadyStateResult;
  counts: Partial<Record<OutcomeName, number>> & { operations: number };
  faults: FaultLogEntry[];
  /** Stack processes found not running after the checks: they died on their own during the run. */
  processesDown?: string[];
  /** Set when the run stopped early (infrastructure failure, interruption). */
  error?: string;
}

export interface SteadyStateResult {
  /** Probed before any fault: one not valid means the stack was unhealthy to begin with. */
  before: CheckResult[];
  /** Probed after settling, on the checks' snapshot: they join the verdict. */
  after: CheckResult[];
}

/** A line on the probes that did not hold: "outbox_drained invalid (...)". */
export function brokenProbes(probes: readonly CheckResult[]): string {
  return probes
    .filter((probe) => probe.verdict !== 'valid')
    .map((probe) => `${probe.name} ${probe.verdict} (${probe.summary})`)
    .join('; ');
}

/**
 * judge, then the steady state after the run: a hypothesis the system must come back to whatever
 * the scenario expects, so a probe that does not hold fails the expectation (and, invalid, makes
 * the verdict invalid) even where the checks found the anomaly the scenario wanted shown.
 */
export function judgeRun(
  checks: CheckResult[],
  steadyAfter: CheckResult[],
  expect: { verdict: 'valid' | 'invalid'; detectedBy: readonly CheckName[] | undefined },
  faults: readonly FaultLogEntry[] = [],
): ReturnType<typeof judge> {
  const judged = judge(checks, expect.verdict, expect.detectedBy, faults);
  const broken = steadyAfter.filter((probe) => probe.verdict !== 'valid');
  if (broken.length === 0) return judged;
  const invalid = broken.some((probe) => probe.verdict === 'invalid');
  return {
    verdict: invalid ? 'invalid' : judged.verdict === 'invalid' ? 'invalid' : 'unknown',
    expectationMet: false,
    explanation: `the steady state did not hold after the run: ${brokenProbes(broken)}`,
    exitCode: ExitCode.expectationNotMet,
  };
}

export function overallVerdict(checks: CheckResult[]): Verdict {
  if (checks.some((check) => check.verdict === 'invalid')) return 'invalid';
  if (checks.some((check) => check.verdict === 'unknown')) return 'unknown';
  return 'valid';
}

/**
 * A fault that could not be applied fails the expectation whatever the checks say.
 * valid expected: met when every check is valid. invalid expected: met when a check (one of
 * `detectedBy`, when given) reports invalid: the anomaly was really detected.
 */
export function judge(
  checks: CheckResult[],
  expected: 'valid' | 'invalid',
  detectedBy: readonly CheckName[] | undefined,
  faults: readonly FaultLogEntry[] = [],
): { verdict: Verdict; expectationMet: boolean; explanation: string; exitCode: number } {
  const verdict = overallVerdict(checks);
  const failed = faults.filter((fault) => fault.startFailed);
  if (failed.length > 0)
    return {
      verdict,
      expectationMet: false,
      explanation: `the run did not inject what the scenario asks: ${failed.map((fault) => `fault ${fault.fault} (${fault.kind} ${fault.target}) failed: ${fault.error}`).join('; ')}`,
      exitCode: ExitCode.expectationNotMet,
    };
  if (expected === 'valid') {
    const bad = checks.filter((check) => check.verdict !== 'valid');
    const met = bad.length === 0;
    return {
      verdict,
      expectationMet: met,
      explanation: met
        ? `all ${checks.length} checks valid`
        : `expected every check valid; ${bad.map((check) => `${check.name} is ${check.verdict}`).join(', ')}`,
      exitCode: met ? ExitCode.ok : ExitCode.expectationNotMet,
    };
  }
  const catchers = checks.filter(
    (check) => check.verdict === 'invalid' && (!detectedBy || detectedBy.includes(check.name as CheckName)),
  );
  const met = catchers.length > 0;
  return {
    verdict,
    expectationMet: met,
    explanation: met
      ? `the anomaly was detected by ${catchers.map((check) => check.name).join(', ')}`
      : `expected the anomaly to be detected${detectedBy ? ` by ${detectedBy.join(' or ')}` : ''}, but no such check reported invalid`,
    exitCode: met ? ExitCode.ok : ExitCode.expectationNotMet,
  };
}
