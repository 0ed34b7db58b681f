/**
 * Exploration end to end, through bin/lab on the real local stack: `lab explore` finds the double
 * charge of a scenario with the inbox off, `lab shrink` reduces that run to a minimal.yaml of at
 * most 2 faults and 20 orders, and `lab chaos minimal.yaml` still fails no_double_charge (its
 * expectation, invalid, is then met: exit 0). A smaller copy of the bundled without-inbox keeps
 * the suite short; the bundled one is shrunk the same way in scenarios/README.md.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { RunResult } from '../cli/chaos/result.ts';
import { labIn } from './lab-cli.ts';

const DOUBLE_CHARGE = `name: double-charge
description: The inbox is off and inventory's relay publishes every StockReserved twice.
seed: 1
stack:
  without: [inbox]
setup:
  customers: 4
  balance: 100.00
  products:
    - { sku: bread, price: 4.50, stock: 100 }
workload:
  orders: 24
  rate: 12/s
  concurrency: 4
faults:
  - { at: 0s, for: 4s, duplicate: { service: inventory, probability: 1, copies: 1 } }
  - { at: 1s, for: 1s, latency: { link: order.db, ms: 50 } }
settle: 10s
expect:
  verdict: invalid
  detected_by: [no_double_charge]
  checks: [no_double_charge, sagas_terminal]
`;

let home: string;
const lab = labIn(() => home);

beforeAll(() => {
  home = mkdtempSync(path.join(tmpdir(), 'lab-explore-'));
  writeFileSync(path.join(home, 'double-charge.yaml'), DOUBLE_CHARGE);
});

afterAll(async () => {
  await lab('down', '--purge');
  rmSync(home, { recursive: true, force: true });
});

describe('lab explore and lab shrink', () => {
  it('explore finds the double charge, shrink reduces it, the minimal file still shows it', async () => {
    const explored = await lab(
      'explore',
      path.join(home, 'double-charge.yaml'),
      '--seeds',
      '1',
      '--budget',
      '2m',
    );
    // Findings exit 1, like a failed expectation: something to look at.
    expect(explored.exitCode, explored.all).toBe(1);
    const runDir = /shrink one: lab shrink (\S+)/.exec(explored.all ?? '')?.[1];
    expect(runDir, explored.all).toBeDefined();
    expect(explored.all).toMatch(/seed 1 +FOUND {2}no_double_charge/);

    const shrunk = await lab('shrink', runDir!, '--check', 'no_double_charge', '--max-runs', '5');
    expect(shrunk.exitCode, shrunk.all).toBe(0);
    const minimal = parse(readFileSync(path.join(runDir!, 'minimal.yaml'), 'utf8'));
    expect(minimal.faults.length).toBeLessThanOrEqual(2);
    expect(minimal.workload.orders).toBeLessThanOrEqual(20);
    expect(minimal).toMatchObject({
      seed: 1,
      expect: { verdict: 'invalid', detected_by: ['no_double_charge'] },
    });
    expect(shrunk.all).toMatch(/run 1: drop duplicate: passes, undone/);

    const replay = await lab('chaos', path.join(runDir!, 'minimal.yaml'), '--json');
    expect(replay.exitCode, replay.all).toBe(0);
    const result = JSON.parse(replay.stdout) as RunResult;
    expect(result.checks.find((check) => check.name === 'no_double_charge')?.verdict).toBe('invalid');
  }, 480_000);

  it('refuses bad input before anything starts', async () => {
    const budget = await lab('explore', 'without-inbox', '--budget', 'soon');
    expect(budget.exitCode).toBe(2);
    expect(budget.all).toContain('--budget soon: expected a duration');
    const notRun = await lab('shrink', home);
    expect(notRun.exitCode).toBe(2);
    expect(notRun.all).toContain('is not a run directory');
  });
});
