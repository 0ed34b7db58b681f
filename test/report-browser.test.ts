/**
 * The run directory and its report, from real runs of the bundled `order-saga` (valid) and
 * `without-inbox` (invalid) scenarios on the local stack:
 * - `lab check` on each stored run, after `lab down --purge` removed every database, prints the
 *   same verdicts and evidence as the live run and exits as `lab chaos` did;
 * - report.html opens in Debian's chromium (playwright-core) from file:// with no console error
 *   and no request but the file itself, its timeline has one labelled band per fault of the
 *   scenario, and clicking an order in no_double_charge's evidence draws that order's saga with
 *   its two charges and its real trace (the services' spans, collected by the stack's span
 *   receiver) as a waterfall. Screenshots are kept in test-artifacts/.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TimedCheckResult } from '../cli/chaos/junit.ts';
import type { RunResult } from '../cli/chaos/result.ts';
import { availableComponents } from '../cli/runtime/local/stack.ts';
import { CHROMIUM, labIn, openChromium } from './lab-cli.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, '../test-artifacts');
const stackHasShop = availableComponents().some((component) => component.name === 'gateway');

let home: string;
const lab = labIn(() => home);

interface Run {
  dir: string;
  exitCode: number;
  result: RunResult;
}
const runs: Record<'valid' | 'invalid', Run> = {} as Record<'valid' | 'invalid', Run>;

async function chaos(scenario: string): Promise<Run> {
  const before = new Set(existsSync(path.join(home, 'runs')) ? readdirSync(path.join(home, 'runs')) : []);
  const run = await lab('chaos', scenario, '--runtime', 'local', '--keep');
  const id = readdirSync(path.join(home, 'runs')).find((entry) => !before.has(entry));
  if (!id) throw new Error(`lab chaos ${scenario} wrote no run directory:\n${run.all}`);
  const dir = path.join(home, 'runs', id);
  expect(run.all).toContain(`report:  ${path.join(dir, 'report.html')}`);
  return {
    dir,
    exitCode: run.exitCode ?? -1,
    result: JSON.parse(readFileSync(path.join(dir, 'result.json'), 'utf8')),
  };
}

function openBrowser(): Promise<BrowserContext> {
  return openChromium({ width: 1280, height: 900 });
}

describe.skipIf(!stackHasShop)('run directory and report of real runs', () => {
  beforeAll(async () => {
    home = mkdtempSync(path.join(tmpdir(), 'lab-report-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    runs.valid = await chaos('order-saga');
    runs.invalid = await chaos('without-inbox');
    const down = await lab('down', '--purge');
    if (down.exitCode !== 0) throw new Error(`lab down --purge failed:\n${down.all}`);
  }, 600_000);

  afterAll(async () => {
    if (!home) return;
    await lab('down', '--purge');
    rmSync(home, { recursive: true, force: true });
  }, 120_000);

  it('the runs met their expectations (valid and invalid) and kept their data', () => {
    expect(runs.valid.result.verdict).toBe('valid');
    expect(runs.invalid.result.verdict).toBe('invalid');
    for (const run of Object.values(runs)) {
      expect(run.exitCode).toBe(0);
      for (const file of [
        'events.jsonl',
        'rows/order.json',
        'rows/payment.json',
        'rows/scope.json',
        'logs/order.log',
        'traces.jsonl',
      ])
        expect(existsSync(path.join(run.dir, file)), file).toBe(true);
      // The run's traces: every process of the shop exported spans during it.
      const spans = readFileSync(path.join(run.dir, 'traces.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { service: string });
      expect(new Set(spans.map((span) => span.service))).toEqual(
        new Set(['gateway', 'auth', 'catalog', 'inventory', 'order', 'payment', 'shipping', 'search']),
      );
    }
    const events = readFileSync(path.join(runs.invalid.dir, 'events.jsonl'), 'utf8').trim().split('\n');
    const applied = events
      .map((line) => JSON.parse(line))
      .filter((event) => event.kind === 'delivered' && event.duplicate);
    expect(applied.length).toBeGreaterThan(0);
    expect(applied.every((event) => event.applied)).toBe(true);
  });

  it('lab check on a stored run after lab down --purge gives the live verdicts, evidence and exit code', async () => {
    expect(existsSync(path.join(home, 'data'))).toBe(false);
    for (const run of Object.values(runs)) {
      const check = await lab('check', run.dir, '--json');
      expect(check.exitCode).toBe(run.exitCode);
      const recomputed = JSON.parse(check.stdout) as RunResult & { differences: string[] };
      expect(recomputed.differences).toEqual([]);
      // The live run also timed each check (JUnit); a re-check reproduces everything else.
      expect(recomputed.checks).toEqual(
        (run.result.checks as TimedCheckResult[]).map(({ durationMs: _, ...check }) => check),
      );
      expect(recomputed.verdict).toBe(run.result.verdict);
    }
    const latest = await lab('check', 'latest');
    expect(latest.stdout).toContain('without-inbox');
    expect(latest.stdout).toContain('same verdicts and evidence as the live run');
    const listed = await lab('runs');
    expect(listed.stdout.indexOf('without-inbox')).toBeLessThan(listed.stdout.indexOf('order-saga'));
  });

  describe.skipIf(!existsSync(CHROMIUM))('report.html in chromium', () => {
    let browser: BrowserContext;
    beforeAll(async () => {
      browser = await openBrowser();
    }, 60_000);
    afterAll(async () => {
      await browser?.close();
    });

    async function open(run: Run) {
      const page = await browser.newPage();
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      page.on('pageerror', (error) => errors.push(String(error)));
      page.on('request', (request) => requests.push(request.url()));
      const file = `file://${path.join(run.dir, 'report.html')}`;
      const started = Date.now();
      await page.goto(file, { waitUntil: 'load' });
      await page.locator('#timeline canvas').waitFor();
      return { page, errors, requests, file, openedMs: Date.now() - started };
    }

    it('order-saga: opens from file:// with no error and no request, one labelled band per fault', async () => {
      const { page, errors, requests, file, openedMs } = await open(runs.valid);
      expect(errors).toEqual([]);
      expect(requests).toEqual([file]);
      expect(openedMs).toBeLessThan(2000);
      const labels = await page.locator('#timeline .fault-band .fault-label').allTextContents();
      expect(labels).toEqual(runs.valid.result.faults.map((fault) => `${fault.kind} ${fault.target}`));
      expect(labels).toHaveLength(4);
      await page.screenshot({ path: path.join(ARTIFACTS, 'report-order-saga.png'), fullPage: true });
      await page.close();
    });

    it('without-inbox: an order from no_double_charge evidence shows a diagram with its two charges', async () => {
      const { page, errors } = await open(runs.invalid);
      const link = page.locator('[data-check=no_double_charge] a.order-link').first();
      const orderId = await link.getAttribute('data-order');
      await link.click();
      const diagram = page.locator(`#order-detail svg.seq[data-order="${orderId}"]`);
      await diagram.waitFor();
      expect(await diagram.locator('[data-kind=charge]').count()).toBe(2);
      expect(await diagram.locator('[data-kind=applied-twice]').count()).toBeGreaterThan(0);
      // Its trace: one bar per span, from the gateway's request through the saga's services.
      const waterfall = page.locator('#order-detail svg.waterfall');
      await waterfall.waitFor();
      const lanes = await waterfall
        .locator('g.span')
        .evaluateAll((spans) => spans.map((span) => span.getAttribute('data-service')));
      for (const service of ['gateway', 'order', 'inventory', 'payment'])
        expect(lanes, service).toContain(service);
      expect(await waterfall.textContent()).toContain('POST /api/order/orders');
      expect(errors).toEqual([]);
      await page
        .locator('#order-detail')
        .screenshot({ path: path.join(ARTIFACTS, 'report-without-inbox-order.png') });
      await page.close();
    });
  });
});
