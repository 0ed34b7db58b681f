/**
 * `lab check <run>`: every check of a stored run recomputed from its directory alone (the
 * scenario as run, the history, the captured rows), with the same functions the live run used,
 * and judged the same way; then compared with what the live run recorded in result.json.
 */
import path from 'node:path';
import { runChecks } from '../chaos/checks/index.ts';
import type { CheckResult } from '../chaos/checks/types.ts';
import type { OperationEntry } from '../chaos/history.ts';
import { loadScenarioFile } from '../chaos/loader.ts';
import { judgeRun, type RunResult } from '../chaos/result.ts';
import { readJsonLines, readSnapshot } from '../chaos/rundir.ts';
import { readResult } from './build.ts';

export interface Recheck {
  live: RunResult;
  recomputed: RunResult;
  /** Checks whose verdict, summary or evidence differ from the live run's (empty: identical). */
  differences: string[];
}

/** What a re-check must reproduce: the verdict, summary and evidence, not how long it took. */
function verdictOf(check: CheckResult): string {
  return JSON.stringify([check.name, check.verdict, check.summary, check.evidence]);
}

export function recheckRun(runDir: string): Recheck {
  const live = readResult(runDir);
  const { scenario } = loadScenarioFile(path.join(runDir, 'scenario.yaml'));
  const snapshot = readSnapshot(runDir);
  const operations = readJsonLines<{ type: string }>(path.join(runDir, 'history.jsonl')).filter(
    (entry): entry is OperationEntry => entry.type === 'op',
  );
  const checks = runChecks(scenario.expect.checks, { snapshot, operations });
  // The after-probes read the same final rows; the before-probes' rows were never kept, so what
  // the live run found before any fault stands.
  const after = runChecks(scenario.steadyState.after, { snapshot, operations });
  const verdict = judgeRun(checks, after, scenario.expect, live.faults);
  const recomputed: RunResult = {
    ...live,
    ...verdict,
    checks,
    ...(live.steadyState ? { steadyState: { before: live.steadyState.before, after } } : {}),
    runDir,
  };
  const differences: string[] = [];
  for (const check of checks) {
    const before = live.checks.find((candidate) => candidate.name === check.name);
    if (!before) differences.push(`${check.name}: not run live`);
    else if (verdictOf(before) !== verdictOf(check))
      differences.push(
        before.verdict === check.verdict
          ? `${check.name}: same verdict, different summary or evidence`
          : `${check.name}: ${before.verdict} live, ${check.verdict} now`,
      );
  }
  for (const probe of after) {
    const before = live.steadyState?.after.find((candidate) => candidate.name === probe.name);
    if (before && verdictOf(before) !== verdictOf(probe))
      differences.push(`steady state after, ${probe.name}: ${before.verdict} live, ${probe.verdict} now`);
  }
  return { live, recomputed, differences };
}
