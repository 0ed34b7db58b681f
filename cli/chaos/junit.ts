/**
 * JUnit XML for CI: one <testsuite> per scenario, one <testcase> per check, plus an "expectation"
 * case that fails when the scenario's expectation was not met (for `verdict: invalid`, when no
 * check caught the anomaly).
 */
import type { RunResult } from './result.ts';

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

function testsuite(result: RunResult): string {
  const cases: string[] = [];
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
    cases.push(
      `    <testcase classname="${xmlEscape(result.scenario)}" name="${xmlEscape(check.name)}">${body}</testcase>`,
    );
  }
  const expectation = result.expectationMet
    ? `<system-out>${xmlEscape(result.explanation)}</system-out>`
    : `<failure message="${xmlEscape(result.explanation)}" type="expectation">${xmlEscape(result.error ?? result.explanation)}</failure>`;
  if (!result.expectationMet) failures++;
  cases.push(
    `    <testcase classname="${xmlEscape(result.scenario)}" name="expectation: ${result.expected}">${expectation}</testcase>`,
  );
  return [
    `  <testsuite name="${xmlEscape(result.scenario)}" tests="${cases.length}" failures="${failures}" errors="${errors}" time="${(result.durationMs / 1000).toFixed(3)}" timestamp="${xmlEscape(result.startedAt)}">`,
    `    <properties><property name="seed" value="${result.seed}"/><property name="runtime" value="${xmlEscape(result.runtime)}"/><property name="run_dir" value="${xmlEscape(result.runDir)}"/></properties>`,
    ...cases,
    '  </testsuite>',
  ].join('\n');
}

export function junitXml(results: RunResult[], name = 'lab'): string {
  const time = results.reduce((sum, result) => sum + result.durationMs, 0) / 1000;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlEscape(name)}" time="${time.toFixed(3)}">`,
    ...results.map(testsuite),
    '</testsuites>',
    '',
  ].join('\n');
}
