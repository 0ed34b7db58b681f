/**
 * The engine end to end through the real CLI and the real local stack (a temporary LAB_HOME):
 * a short valid scenario with faults, the without-inbox demonstration detected as invalid, a bad
 * file refused with file:line:col before anything starts, Ctrl-C in the middle of a run
 * healing every fault and exiting 130, and a run whose steady state did not hold before any fault
 * ending unknown (exit 3) without injecting anything. Kept small: this is what `npm test` runs of the suite.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunResult } from '../cli/chaos/result.ts';
import { availableComponents } from '../cli/runtime/local/stack.ts';

const LAB = new URL('../bin/lab', import.meta.url).pathname;
const components = availableComponents().map((component) => component.name);
const stackHasShop = components.includes('gateway');
/** Link faults need the fault proxy in the local stack; without it the runs use process and hook faults only. */
const stackHasProxy = components.includes('fault-proxy');

let home: string;
const env = () => ({ LAB_HOME: home, CI: 'true', FORCE_COLOR: '0' });
const lab = (...args: string[]) =>
  execa(process.execPath, [LAB, ...args], { reject: false, env: env(), all: true });

function scenarioFile(name: string, body: string): string {
  const file = path.join(home, `${name}.yaml`);
  writeFileSync(file, body);
  return file;
}

const QUICK = `name: quick-faults
description: A short run with a toxic, a duplicate window and a kill, which must all be healed and leave every check valid.
seed: 5
setup:
  customers: 6
  balance: 100.00
  products:
    - { sku: bread, price: 4.50, stock: 200 }
    - { sku: donut, price: 1.20, stock: 200 }
workload:
  orders: 40
  rate: 10/s
  concurrency: 4
faults:
  - { at: 0s, for: 3s, duplicate: { service: order, probability: 1, copies: 1 } }
  - { at: 1s, kill: { service: shipping, restart_after: 1s } }
${stackHasProxy ? '  - { at: 0s, for: 3s, latency: { link: payment.db, ms: 100 } }\n' : ''}settle: 40s
expect:
  checks:
    - sagas_terminal
    - no_double_charge
    - money_conserved
    - stock_conserved
    - outcomes_consistent
    - outbox_drained
    - idempotent_consumers
    - { outcomes: { confirmed: ">= 30" } }
`;

const LONG_FAULTS = `name: interrupted
description: Long faults, to be interrupted with Ctrl-C while they are active.
setup:
  customers: 3
  balance: 100.00
  products:
    - { sku: bread, price: 4.50, stock: 100 }
workload:
  orders: 600
  rate: 5/s
  concurrency: 2
faults:
  - { at: 0s, for: 100s, pause: { service: catalog } }
  - { at: 0s, for: 100s, duplicate: { service: order, probability: 1, copies: 1 } }
  - { at: 0s, kill: { service: shipping } }
${stackHasProxy ? '  - { at: 0s, for: 100s, down: { link: shipping.kafka } }\n' : ''}settle: 10s
`;

async function status(): Promise<{
  endpoints: { faultProxyUrl: string; services: Record<string, string> };
  processes: Array<{ name: string; state: string }>;
}> {
  const { stdout } = await execa(process.execPath, [LAB, 'status', '--json'], { env: env() });
  return JSON.parse(stdout);
}

async function links(): Promise<Array<{ name: string; enabled: boolean; toxics: unknown[] }>> {
  const proxies = await (await fetch(`${(await status()).endpoints.faultProxyUrl}/proxies`)).json();
  return Object.values(proxies as Record<string, { name: string; enabled: boolean; toxics: unknown[] }>);
}

async function hooksOf(service: string): Promise<{ duplicate: unknown }> {
  const response = await fetch(`${(await status()).endpoints.services[service]}/admin/faults`, {
    // The home's own admin token: `lab status` prints it only as ***.
    headers: { 'x-lab-admin-token': readFileSync(path.join(home, 'admin-token'), 'utf8').trim() },
  });
  return (await response.json()) as { duplicate: unknown };
}

describe.skipIf(!stackHasShop)('lab chaos end to end (local runtime)', () => {
  beforeAll(async () => {
    home = mkdtempSync(path.join(tmpdir(), 'lab-chaos-e2e-'));
    const up = await lab('up', '--runtime', 'local');
    if (up.exitCode !== 0) throw new Error(`lab up failed:\n${up.all}`);
  }, 240_000);

  afterAll(async () => {
    if (!home) return;
    await lab('down', '--purge');
    rmSync(home, { recursive: true, force: true });
  }, 120_000);

  it("guards the services' admin endpoints with the home's own secret, never printed", async () => {
    const tokenFile = path.join(home, 'admin-token');
    expect(readFileSync(tokenFile, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(statSync(tokenFile).mode & 0o777).toBe(0o600);
    const { stdout } = await execa(process.execPath, [LAB, 'status', '--json'], { env: env() });
    expect(JSON.parse(stdout).endpoints.adminToken).toBe('***');
    expect(stdout).not.toContain(readFileSync(tokenFile, 'utf8').trim());
    const orderUrl = JSON.parse(stdout).endpoints.services.order;
    const guessed = await fetch(`${orderUrl}/admin/faults`, {
      headers: { 'x-lab-admin-token': 'lab-admin' },
    });
    expect(guessed.status).toBe(401);
    expect((await hooksOf('order')).duplicate).toBeNull();
  });

  it('refuses a malformed scenario with file:line:col before anything starts (exit 2)', async () => {
    const file = scenarioFile('bad', QUICK.replace('duplicate: { service', 'duplicat: { service'));
    const result = await lab('chaos', file);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /bad\.yaml:15:24: unknown key 'duplicat' in faults\[0\]; did you mean 'duplicate'\?/,
    );
    expect(result.stdout).not.toContain('starting');
  });

  it('runs a short scenario with faults: every check valid, run dir complete, exit 0', async () => {
    const out = path.join(home, 'quick-run');
    const junit = path.join(home, 'quick.xml');
    const result = await lab(
      'chaos',
      scenarioFile('quick', QUICK),
      '--out',
      out,
      '--junit',
      junit,
      '--seed',
      '9',
    );
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stdout).toContain('seed 9');
    for (const file of [
      'result.json',
      'junit.xml',
      'history.jsonl',
      'decisions.jsonl',
      'scenario.yaml',
      'seed',
      'logs/order.log',
    ])
      expect(existsSync(path.join(out, file)), file).toBe(true);
    const run = JSON.parse(readFileSync(path.join(out, 'result.json'), 'utf8')) as RunResult;
    expect(run).toMatchObject({ seed: 9, verdict: 'valid', expectationMet: true });
    expect(run.checks.map((check) => check.verdict)).toEqual(Array(8).fill('valid'));
    // Every fault started and healed, and said so in the history.
    expect(run.faults.every((fault) => fault.startedMs !== undefined && fault.healedMs !== undefined)).toBe(
      true,
    );
    const history = readFileSync(path.join(out, 'history.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(history.filter((entry) => entry.type === 'op')).toHaveLength(40);
    expect(history.filter((entry) => entry.type === 'fault' && entry.event === 'heal')).toHaveLength(
      run.faults.length,
    );
    // The duplicates were really delivered (and skipped).
    expect(run.checks.find((check) => check.name === 'idempotent_consumers')?.summary).toMatch(
      /\d+ duplicate deliveries/,
    );
    expect(readFileSync(junit, 'utf8')).toContain('<testsuite name="quick-faults"');
    // The decision log holds what the seed chose: the workload, one line per order, and the seed of
    // the duplicate fault's draws in the order service.
    const decisions = readFileSync(path.join(out, 'decisions.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(decisions.filter((decision) => decision.source === 'workload')).toHaveLength(40);
    expect(decisions.filter((decision) => decision.kind === 'duplicate')).toEqual([
      { fault: 0, kind: 'duplicate', service: 'order', seed: expect.any(Number) },
    ]);
  }, 240_000);

  it('Ctrl-C mid-run heals every fault and exits 130', async () => {
    const child: ResultPromise = execa(
      process.execPath,
      [LAB, 'chaos', scenarioFile('interrupted', LONG_FAULTS)],
      {
        reject: false,
        env: env(),
        all: true,
      },
    );
    let output = '';
    child.all?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const active = [
      /paused catalog/,
      /killed shipping/,
      /order relay publishes/,
      ...(stackHasProxy ? [/shipping\.kafka is down/] : []),
    ];
    const deadline = Date.now() + 180_000;
    while (!active.every((pattern) => pattern.test(output))) {
      if (Date.now() > deadline) throw new Error(`faults never became active:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const during = await status();
    expect(during.processes.find((process) => process.name === 'catalog')?.state).toBe('paused');
    expect((await hooksOf('order')).duplicate).not.toBeNull();
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode, output).toBe(130);
    expect(output).toContain('interrupted');
    const after = await status();
    for (const name of ['catalog', 'shipping'])
      expect(after.processes.find((process) => process.name === name)?.state).toBe('running');
    expect((await hooksOf('order')).duplicate).toBeNull();
    if (stackHasProxy)
      expect((await links()).every((link) => link.enabled && link.toxics.length === 0)).toBe(true);
  }, 300_000);

  it('a before-probe that does not hold: unknown, exit 3, and no fault was injected', async () => {
    // Nothing is confirmed before the workload, so this probe cannot hold: the stand-in for a stack
    // that is unhealthy before the experiment.
    const steady = 'steady_state:\n  before: [outbox_drained, { outcomes: { confirmed: ">= 1" } }]\n';
    const result = await lab(
      'chaos',
      scenarioFile('not-steady', QUICK.replace('expect:\n', `${steady}expect:\n`)),
      '--json',
    );
    expect(result.exitCode, result.all).toBe(3);
    const run = JSON.parse(result.stdout) as RunResult;
    expect(run).toMatchObject({ verdict: 'unknown', expectationMet: false, faults: [], checks: [] });
    expect(run.explanation).toContain('not in its steady state before any fault');
    expect(run.steadyState?.before.map((probe) => [probe.name, probe.verdict])).toEqual([
      ['outbox_drained', 'valid'],
      ['outcomes', 'invalid'],
    ]);
    expect((await hooksOf('order')).duplicate).toBeNull();
    expect((await status()).processes.find((process) => process.name === 'shipping')?.state).toBe('running');
  }, 120_000);

  it('without-inbox: the double charges are detected, so the expectation (invalid) is met, exit 0', async () => {
    const bundled = readFileSync(
      path.resolve(import.meta.dirname, '../scenarios/without-inbox.yaml'),
      'utf8',
    );
    const small = bundled.replace('orders: 40', 'orders: 20').replace('settle: 12s', 'settle: 8s');
    const result = await lab('chaos', scenarioFile('without-inbox', small), '--json');
    expect(result.exitCode, result.stderr).toBe(0);
    const run = JSON.parse(result.stdout) as RunResult;
    expect(run).toMatchObject({ expected: 'invalid', verdict: 'invalid', expectationMet: true });
    const doubleCharge = run.checks.find((check) => check.name === 'no_double_charge')!;
    expect(doubleCharge.verdict).toBe('invalid');
    expect(doubleCharge.evidence.items[0]).toMatchObject({ kind: 'charge', count: 2 });
    // The doubly charged orders never agree across services, so the settle time cannot end on
    // valid checks; it ends once nothing is left in flight, well before its 8 s.
    const settled = /nothing left in flight after ([\d.]+)s .*: settled with (.*) still failing/.exec(
      readFileSync(path.join(run.runDir, 'run.log'), 'utf8'),
    );
    expect(settled, 'the settle phase ended on quiescence').not.toBeNull();
    expect(Number(settled![1])).toBeLessThan(8);
    expect(settled![2]).toBe('outcomes_consistent');
  }, 300_000);
});
