import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import type { CheckResult } from '../cli/chaos/checks/types.ts';
import { junitXml } from '../cli/chaos/junit.ts';
import { judge, judgeRun, type RunResult } from '../cli/chaos/result.ts';
import { runSummary } from '../cli/chaos/ui/summary.ts';

const check = (name: string, verdict: CheckResult['verdict']): CheckResult => ({
  name,
  verdict,
  summary: `${name} is ${verdict} <&>`,
  evidence: {
    total: verdict === 'invalid' ? 1 : 0,
    items: verdict === 'invalid' ? [{ order_id: 'o-1' }] : [],
  },
});

function result(overrides: Partial<RunResult>): RunResult {
  return {
    id: 'r',
    scenario: 'demo',
    description: 'd',
    file: '/x/scenarios/demo.yaml',
    seed: 3,
    runtime: 'local',
    without: [],
    kit: 'reference',
    startedAt: '2026-11-22T00:00:00.000Z',
    durationMs: 1500,
    runDir: '/tmp/run',
    expected: 'valid',
    verdict: 'valid',
    expectationMet: true,
    explanation: 'all checks valid',
    exitCode: 0,
    checks: [check('sagas_terminal', 'valid')],
    counts: { operations: 1 },
    faults: [],
    ...overrides,
  };
}

describe('judging a run', () => {
  it('valid expected: met only when every check is valid', () => {
    expect(judge([check('a', 'valid'), check('b', 'valid')], 'valid', undefined)).toMatchObject({
      verdict: 'valid',
      expectationMet: true,
      exitCode: 0,
    });
    expect(judge([check('a', 'valid'), check('b', 'unknown')], 'valid', undefined)).toMatchObject({
      verdict: 'unknown',
      expectationMet: false,
      exitCode: 1,
      explanation: expect.stringContaining('b is unknown'),
    });
  });

  it('invalid expected: met only when a check (of detected_by, if given) reports the anomaly', () => {
    const checks = [check('sagas_terminal', 'valid'), check('no_double_charge', 'invalid')];
    expect(judge(checks, 'invalid', undefined)).toMatchObject({ expectationMet: true, exitCode: 0 });
    expect(judge(checks, 'invalid', ['no_double_charge'])).toMatchObject({ expectationMet: true });
    expect(judge(checks, 'invalid', ['sagas_terminal'])).toMatchObject({
      expectationMet: false,
      exitCode: 1,
    });
    expect(judge([check('sagas_terminal', 'valid')], 'invalid', undefined)).toMatchObject({
      expectationMet: false,
    });
  });

  it('a fault that could not be applied fails the expectation', () => {
    const judged = judge([check('a', 'valid')], 'valid', undefined, [
      { fault: 0, kind: 'latency', target: 'payment.db', error: 'no link', startFailed: true },
    ]);
    expect(judged).toMatchObject({ expectationMet: false, exitCode: 1 });
    expect(judged.explanation).toContain('fault 0 (latency payment.db) failed: no link');
  });
});

describe('the steady state after the run', () => {
  it('joins the verdict: a probe that does not hold fails the expectation, whatever was expected', () => {
    const valid = { verdict: 'valid' as const, detectedBy: undefined };
    expect(judgeRun([check('a', 'valid')], [check('outbox_drained', 'valid')], valid)).toMatchObject({
      verdict: 'valid',
      expectationMet: true,
    });
    const broken = judgeRun([check('a', 'valid')], [check('outbox_drained', 'invalid')], valid);
    expect(broken).toMatchObject({ verdict: 'invalid', expectationMet: false, exitCode: 1 });
    expect(broken.explanation).toBe(
      'the steady state did not hold after the run: outbox_drained invalid (outbox_drained is invalid <&>)',
    );
    // The anomaly a pattern switch shows was detected, but the shop did not come back.
    const shown = { verdict: 'invalid' as const, detectedBy: undefined };
    expect(judgeRun([check('no_double_charge', 'invalid')], [], shown)).toMatchObject({
      expectationMet: true,
    });
    expect(
      judgeRun([check('no_double_charge', 'invalid')], [check('sagas_terminal', 'unknown')], shown),
    ).toMatchObject({ verdict: 'invalid', expectationMet: false });
  });

  it('is in the terminal table, before and after the checks', () => {
    const text = runSummary(
      result({
        steadyState: {
          before: [check('outbox_drained', 'valid')],
          after: [check('no_lost_event', 'invalid')],
        },
      }),
    );
    const lines = text.split('\n');
    const at = (needle: string) => lines.findIndex((line) => line.includes(needle));
    expect(at('steady state before:')).toBeLessThan(at('outbox_drained'));
    expect(at('outbox_drained')).toBeLessThan(at('sagas_terminal'));
    expect(at('sagas_terminal')).toBeLessThan(at('steady state after:'));
    expect(at('steady state after:')).toBeLessThan(at('no_lost_event'));
  });
});

describe('JUnit XML', () => {
  it('has one testcase per check plus the expectation, failures for invalid checks, escaped text', () => {
    const xml = junitXml([
      result({
        checks: [check('sagas_terminal', 'valid'), check('no_double_charge', 'invalid')],
        expectationMet: false,
        explanation: 'expected every check valid',
        verdict: 'invalid',
      }),
    ]);
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>/);
    expect(xml).toContain('<testsuite name="demo" tests="3" failures="2" errors="0" time="1.500"');
    expect(xml).toContain(
      '<testcase classname="demo" name="no_double_charge" time="0.000"><failure message="no_double_charge is invalid &lt;&amp;&gt;"',
    );
    expect(xml).toContain('<property name="seed" value="3"/>');
    expect(xml).not.toMatch(/<&>/);
  });

  it('an invalid expectation met reports the catching check as passing output, not as a failure', () => {
    const xml = junitXml([
      result({
        expected: 'invalid',
        verdict: 'invalid',
        checks: [check('no_double_charge', 'invalid')],
        explanation: 'the anomaly was detected by no_double_charge',
      }),
    ]);
    expect(xml).toContain('failures="0"');
    expect(xml).toContain(
      'name="expectation: invalid" time="1.500"><system-out>the anomaly was detected by no_double_charge',
    );
  });

  it('<testsuites> totals tests, failures, errors and time; each testcase has its time; repeated runs are named apart', () => {
    const timed = { ...check('sagas_terminal', 'valid'), durationMs: 250 };
    const xml = junitXml([
      result({
        checks: [timed, check('no_double_charge', 'invalid')],
        expectationMet: false,
        verdict: 'invalid',
      }),
      result({
        checks: [check('sagas_terminal', 'unknown')],
        expectationMet: false,
        verdict: 'unknown',
        seed: 4,
      }),
    ]);
    expect(xml).toMatch(/<testsuites name="lab" tests="5" failures="3" errors="1" time="3\.000">/);
    expect(xml).toContain('name="sagas_terminal" time="0.250"');
    expect(xml).toContain('name="expectation: valid" time="1.250"');
    expect(xml).toContain('<testsuite name="demo [seed 3, run 1]"');
    expect(xml).toContain('<testsuite name="demo [seed 4, run 2]"');
    expect([...xml.matchAll(/<testcase [^>]*>/g)].every((match) => / time="\d+\.\d{3}"/.test(match[0]))).toBe(
      true,
    );
  });
});

describe('lab scenarios / lab run input checks (CLI)', () => {
  const LAB = new URL('../bin/lab', import.meta.url).pathname;
  const lab = (...args: string[]) =>
    execa(process.execPath, [LAB, ...args], { reject: false, env: { CI: 'true', LAB_HOME: tmpdir() } });

  it('lab scenarios lists every bundled scenario with its description', async () => {
    const result = await lab('scenarios', '--json');
    expect(result.exitCode).toBe(0);
    const list = JSON.parse(result.stdout) as Array<{ name: string; description: string; expect: string }>;
    expect(list.length).toBeGreaterThanOrEqual(12);
    expect(list.find((entry) => entry.name === 'without-outbox')).toMatchObject({ expect: 'invalid' });
    const text = await lab('scenarios');
    expect(text.stdout).toMatch(/^order-saga\n {2}The mixed fault example/m);
  });

  it('lab run refuses the whole suite when one file is malformed, naming file:line:col (exit 2)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lab-run-'));
    const good = readFileSync(new URL('../scenarios/compensation.yaml', import.meta.url), 'utf8');
    writeFileSync(path.join(dir, 'a-good.yaml'), good);
    writeFileSync(path.join(dir, 'b-bad.yaml'), good.replace('rate: 12/s', 'rate: fast'));
    const result = await lab('run', dir);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/b-bad\.yaml:\d+:9: workload\.rate: expected a positive rate/);
    expect(result.stdout).toBe('');
  });
});
