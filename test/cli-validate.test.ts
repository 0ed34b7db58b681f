/**
 * `lab validate` and `lab run`'s input handling, without a stack: each kind of bad scenario is
 * refused with file:line:col and exit 2, and nothing is started (no state file, no process in
 * the lab home); bundled names are accepted as `lab chaos` accepts them.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const LAB = new URL('../bin/lab', import.meta.url).pathname;
let home: string;
const lab = (...args: string[]) =>
  execa(process.execPath, [LAB, ...args], { reject: false, env: { LAB_HOME: home, CI: 'true' }, cwd: home });

const VALID = `name: ok
description: a valid file
setup:
  customers: 1
  balance: 10.00
  products:
    - { sku: bread, price: 1.00, stock: 10 }
workload: { orders: 5, rate: 5/s }
faults:
  - { at: 1s, for: 2s, down: { link: payment.db } }
expect: { verdict: valid, checks: [sagas_terminal] }
`;

const BAD: Record<string, { text: string; at: string; says: RegExp }> = {
  'unknown-key': {
    text: VALID.replace('workload:', 'colour: blue\nworkload:'),
    at: ':8:1:',
    says: /unknown key 'colour'/,
  },
  'wrong-type': { text: VALID.replace('orders: 5', 'orders: five'), at: ':8:21:', says: /expected number/ },
  'unknown-kind': {
    text: VALID.replace('down: { link', 'lightning: { link'),
    at: ':10:24:',
    says: /unknown key 'lightning'/,
  },
  'unknown-link': {
    text: VALID.replace('payment.db', 'payment.dbx'),
    at: ':10:38:',
    says: /unknown link 'payment.dbx'/,
  },
  'bad-duration': {
    text: VALID.replace('at: 1s', 'at: 1 fortnight'),
    at: ':10:11:',
    says: /expected a duration/,
  },
};

beforeAll(() => {
  home = mkdtempSync(path.join(tmpdir(), 'lab-validate-'));
  writeFileSync(path.join(home, 'ok.yaml'), VALID);
  for (const [name, bad] of Object.entries(BAD)) writeFileSync(path.join(home, `${name}.yaml`), bad.text);
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

describe('lab validate', () => {
  it('accepts a valid file and the bundled scenarios by name, exit 0', async () => {
    const result = await lab('validate', 'ok.yaml', 'order-saga', 'without-inbox');
    expect(result.stdout).toContain('ok       ok.yaml (ok: 1 faults, 1 checks)');
    expect(result.stdout).toContain('3 scenario file(s) valid');
    expect(result.exitCode).toBe(0);
  });

  for (const [name, bad] of Object.entries(BAD))
    it(`refuses ${name} with file:line:col, exit 2, nothing started`, async () => {
      const result = await lab('validate', `${name}.yaml`);
      expect(result.exitCode).toBe(2);
      expect(result.stdout).toContain(`invalid  ${name}.yaml`);
      const line = result.stderr.split('\n').find((candidate) => bad.says.test(candidate));
      expect(line, result.stderr).toBeDefined();
      expect(line!.startsWith(`${name}.yaml${bad.at} `)).toBe(true);
      expect(existsSync(path.join(home, '.lab', 'state.json'))).toBe(false);
      expect(readdirSync(home).filter((entry) => entry === '.lab' || entry === 'state.json')).toEqual([]);
    });

  it('checks every file and counts the invalid ones', async () => {
    const result = await lab('validate', 'ok.yaml', 'unknown-link.yaml', 'bad-duration.yaml');
    expect(result.exitCode).toBe(2);
    expect(result.stdout).toContain('2 of 3 scenario file(s) invalid');
  });
});

describe('lab run input', () => {
  it('takes a bundled name as lab chaos does, and refuses a misspelt one with the closest', async () => {
    const result = await lab('run', 'order-sag', '--seeds', '1,2');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("no scenario 'order-sag'");
    expect(result.stderr).toContain("the closest bundled scenario is 'order-saga'");
  });

  it('refuses --seed with --seeds, a bad seed list and a bad --repeat before anything starts', async () => {
    expect((await lab('run', 'order-saga', '--seed', '1', '--seeds', '1,2')).stderr).toContain('exclusive');
    expect((await lab('run', 'order-saga', '--seeds', '1,x')).exitCode).toBe(2);
    const repeat = await lab('run', 'order-saga', '--repeat', '0');
    expect(repeat.exitCode).toBe(2);
    expect(repeat.stderr).toContain('--repeat must be a whole number');
    expect(existsSync(path.join(home, '.lab', 'state.json'))).toBe(false);
  });
});
