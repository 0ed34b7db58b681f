/**
 * JUnit XML for CI: one <testsuite> per scenario run, one <testcase> per check, plus an
 * "expectation" case that fails when the scenario's expectation was not met (for
 * `verdict: invalid`, when no check caught the anomaly). <testsuites> and each <testsuite> carry
 * tests, failures, errors and time; each <testcase> its time (a check's own; the expectation's is
 * the rest of the run: stack, workload, faults, settle).
 */
import type { CheckResult } from './checks/types.ts';
import type { RunResult } from './result.ts';

/** A check result with the time it took, as the engine records it. */
export type TimedCheckResult = CheckResult & { durationMs?: number };

interface SuiteXml {
  xml: string;
  tests: number;
  failures: number;
  errors: number;
}

const seconds = (ms: number) => (ms / 1000).toFixed(3);

function xmlEscape(text: string): string {
  return (
    text
      .replaceAll('&', '&amp;')
      .replaceAll('<', '&lt;')
      .replaceAll('>', '&gt;')
      .replaceAll('"', '&quot;')
      .replaceAll("'", '&apos;')
      // XML 1.0 forbids most control characters, even escaped.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
  );
}

function testsuite(result: RunResult, suiteName: string): SuiteXml {
  const cases: string[] = [];
  let checksMs = 0;
  let failures = 0;
  let errors = 0;
  for (const check of result.checks) {
    const details = `${check.summary}\n${JSON.stringify(check.evidence, null, 2)}`;
    let body = `<system-out>${xmlEscape(`${check.verdict}: ${details}`)}</system-out>`;
    if (result.expected === 'valid' && check.verdict === 'invalid') {
      failures++;
      body = `<failure message="${xmlEscape(check.summary)}" type="invalid">${xmlEscape(details)}</failure>`;
    } else if (result.expected === 'valid' && check.verdict === 'unknown') {
      errors++;
      body = `<error message="${xmlEscape(check.summary)}" type="unknown">${xmlEscape(details)}</error>`;
    }
    const ms = (check as TimedCheckResult).durationMs ?? 0;
    checksMs += ms;
    cases.push(
      `    <testcase classname="${xmlEscape(suiteName)}" name="${xmlEscape(check.name)}" time="${seconds(ms)}">${body}</testcase>`,
    );
  }
  const expectation = result.expectationMet
    ? `<system-out>${xmlEscape(result.explanation)}</system-out>`
    : `<failure message="${xmlEscape(result.explanation)}" type="expectation">${xmlEscape(result.error ?? result.explanation)}</failure>`;
  if (!result.expectationMet) failures++;
  cases.push(
    `    <testcase classname="${xmlEscape(suiteName)}" name="expectation: ${result.expected}" time="${seconds(Math.max(0, result.durationMs - checksMs))}">${expectation}</testcase>`,
  );
  const xml = [
    `  <testsuite name="${xmlEscape(suiteName)}" tests="${cases.length}" failures="${failures}" errors="${errors}" time="${seconds(result.durationMs)}" timestamp="${xmlEscape(result.startedAt)}">`,
    `    <properties><property name="seed" value="${result.seed}"/><property name="runtime" value="${xmlEscape(result.runtime)}"/><property name="run_dir" value="${xmlEscape(result.runDir)}"/></properties>`,
    ...cases,
    '  </testsuite>',
  ].join('\n');
  return { xml, tests: cases.length, failures, errors };
}

export function junitXml(results: RunResult[], name = 'lab'): string {
  const time = results.reduce((sum, result) => sum + result.durationMs, 0);
  // The same scenario run with several seeds (or --repeat) gets one suite per run, named apart.
  const runsOf = new Map<string, number>();
  for (const result of results) runsOf.set(result.scenario, (runsOf.get(result.scenario) ?? 0) + 1);
  const seen = new Map<string, number>();
  const suites = results.map((result) => {
    const nth = (seen.get(result.scenario) ?? 0) + 1;
    seen.set(result.scenario, nth);
    const suiteName =
      (runsOf.get(result.scenario) ?? 1) > 1
        ? `${result.scenario} [seed ${result.seed}, run ${nth}]`
        : result.scenario;
    return testsuite(result, suiteName);
  });
  const total = (key: 'tests' | 'failures' | 'errors') => suites.reduce((sum, suite) => sum + suite[key], 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlEscape(name)}" tests="${total('tests')}" failures="${total('failures')}" errors="${total('errors')}" time="${seconds(time)}">`,
    ...suites.map((suite) => suite.xml),
    '</testsuites>',
    '',
  ].join('\n');
}
