/**
 * report.html from a run directory alone: a 1000-order run is written in under 3 s and 5 MB and
 * opens in chromium in under 2 s with no request; the page references nothing outside itself;
 * the saga diagram tells a first delivery, a duplicate the inbox skipped, a duplicate applied
 * again and a double charge apart; `lab check` on the stored run agrees with its result.json.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReportModel } from '../cli/report/build.ts';
import { renderSequenceSvg, sequenceRows } from '../cli/report/components/sequence.ts';
import type { OrderModel } from '../cli/report/model.ts';
import { recheckRun } from '../cli/report/recheck.ts';
import { writeReport } from '../cli/report/write.ts';
import { syntheticId, writeSyntheticRun } from './report-support.ts';

const CHROMIUM = '/usr/bin/chromium';
let root: string;
let bigRun: string;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'lab-report-unit-'));
  bigRun = path.join(root, 'big');
  writeSyntheticRun(bigRun, { orders: 1000, doubleCharged: 7 });
});

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('a 1000-order report', () => {
  it('is written in under 3 s and weighs under 5 MB, self-contained', () => {
    writeReport(bigRun); // the first write also reads uPlot and the page's modules
    const written = writeReport(bigRun);
    console.log(`1000-order report: ${(written.bytes / 1024 / 1024).toFixed(2)} MB in ${written.ms} ms`);
    expect(written.ms).toBeLessThan(3000);
    expect(written.bytes).toBeLessThan(5 * 1024 * 1024);
    const html = readFileSync(written.file, 'utf8');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=|@import|url\((?!#)/i);
    expect(html).toContain("default-src 'none'");
    expect(html.match(/<tr class="check"/g)).toHaveLength(2);
  });

  it.skipIf(!existsSync(CHROMIUM))(
    'opens in chromium in under 2 s with no request but itself',
    async () => {
      const file = writeReport(bigRun).file;
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-background-networking',
          '--no-first-run',
        ],
      });
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        const requests: string[] = [];
        const errors: string[] = [];
        page.on('request', (request) => requests.push(request.url()));
        page.on('pageerror', (error) => errors.push(String(error)));
        const started = Date.now();
        await page.goto(`file://${file}`);
        await page.locator('#orders tbody tr').nth(999).waitFor({ state: 'attached' });
        await page.locator('#throughput canvas').waitFor();
        const openedMs = Date.now() - started;
        console.log(`1000-order report opened in ${openedMs} ms`);
        expect(openedMs).toBeLessThan(2000);
        expect(requests).toEqual([`file://${file}`]);
        expect(errors).toEqual([]);
        await page.locator('#order-only').selectOption('double-charge');
        expect(await page.locator('#orders tbody tr').count()).toBe(1);
        await page.locator('#orders tbody a.order-link').click();
        expect(await page.locator('#order-detail svg.seq [data-kind=charge]').count()).toBe(2);
        mkdirSync(path.resolve(import.meta.dirname, '../test-artifacts'), { recursive: true });
        await page.screenshot({
          path: path.resolve(import.meta.dirname, '../test-artifacts/report-1000-orders.png'),
        });
      } finally {
        await browser.close();
      }
    },
    60_000,
  );

  it("names the kit and the stack's lab clock at the run's start in the header", () => {
    const model = buildReportModel(bigRun);
    expect(model.run.kit).toBe('reference');
    expect(model.run.clock).toBe('lab clock 720x, lab time 2026-01-01 08:00 UTC');
    const html = readFileSync(writeReport(bigRun).file, 'utf8');
    expect(html).toContain('<dt>clock</dt><dd>lab clock 720x, lab time 2026-01-01 08:00 UTC</dd>');
  });

  it('lab check recomputes the same verdicts from the directory', () => {
    const { recomputed, differences } = recheckRun(bigRun);
    expect(differences).toEqual([]);
    expect(recomputed.checks.find((check) => check.name === 'no_double_charge')?.verdict).toBe('invalid');
  });
});

describe('the saga diagram', () => {
  const model = () => buildReportModel(bigRun);

  it('draws each delivery from its producer, duplicates skipped by the inbox dashed, and both charges', () => {
    const built = model();
    const order = built.orders.find((candidate) => candidate.id === syntheticId(2, 0))!;
    const rows = sequenceRows(order);
    const arrows = rows.filter((row) => row.kind === 'arrow');
    // request, answer, and 8 deliveries with a second copy each (order 0 got duplicates).
    expect(arrows.filter((row) => row.style === 'skipped')).toHaveLength(8);
    expect(arrows.find((row) => row.type === 'StockReserved' && row.to === 'payment')).toMatchObject({
      from: 'inventory',
    });
    const svg = renderSequenceSvg(order, built.lanes);
    expect(svg.match(/data-kind="charge"/g)).toHaveLength(1);
    expect(svg).toContain('duplicate, skipped by the inbox');
    const doubled = built.orders.find((candidate) => candidate.id === syntheticId(2, 7))!;
    expect(doubled.flags).toContain('double-charge');
    expect(renderSequenceSvg(doubled, built.lanes).match(/data-kind="charge"/g)).toHaveLength(2);
  });

  it('marks a duplicate applied again (no inbox) in red, and escapes what it prints', () => {
    const order: OrderModel = {
      id: 'o-1',
      status: 'CONFIRMED',
      reason: null,
      totalCents: 100,
      created: 0,
      completed: 10,
      steps: [
        {
          kind: 'emit',
          t: 0,
          service: 'inventory',
          type: 'StockReserved',
          event: 'e1',
          published: 1,
          copies: 1,
        },
        {
          kind: 'deliver',
          t: 2,
          consumer: 'payment',
          type: 'StockReserved',
          event: 'e1',
          delivery: 1,
          applied: true,
          exact: true,
        },
        {
          kind: 'deliver',
          t: 3,
          consumer: 'payment',
          type: 'StockReserved',
          event: 'e1',
          delivery: 2,
          applied: true,
          exact: true,
        },
        { kind: 'dead', t: 4, consumer: 'shipping', type: null, event: null, error: '<bad> & "worse"' },
      ],
      traces: [],
      spans: [],
      flags: [],
    };
    const svg = renderSequenceSvg(order, ['client', 'order', 'inventory', 'payment', 'shipping']);
    expect(svg).toContain('data-kind="applied-twice"');
    expect(svg).toContain('APPLIED AGAIN');
    expect(svg).toContain('dead letter: unreadable message (&#60;bad&#62; &#38; &#34;worse&#34;)');
    expect(svg).not.toContain('<bad>');
  });
});

describe('the commands on a stored run', () => {
  const LAB = new URL('../bin/lab', import.meta.url).pathname;
  const lab = async (...args: string[]) => {
    const { execa } = await import('execa');
    return execa(process.execPath, [LAB, ...args], {
      reject: false,
      env: { LAB_HOME: path.join(root, 'home'), FORCE_COLOR: '0', CI: 'true' },
    });
  };

  it('lab trace --run prints the order saga step by step, with the duplicates and both charges', async () => {
    const result = await lab('trace', syntheticId(2, 0), '--run', bigRun);
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toContain(`order ${syntheticId(2, 0)}  CONFIRMED`);
    expect(lines[1]).toMatch(/\+0\.0 ms {2}client {5}POST \/api\/order\/orders → ok 202 after 15\.0 ms/);
    expect(result.stdout).toMatch(/inventory {2}received {2}OrderPlaced .* applied/);
    expect(result.stdout).toContain('copy 2: duplicate, skipped by the inbox');
    expect(result.stdout).toContain('8 duplicate deliveries');
    // Its trace, span by span with durations, the inbox's skips marked.
    expect(result.stdout).toMatch(/trace [0-9a-f]{32} \(34 spans\)/);
    expect(result.stdout).toMatch(/gateway {4}POST \/api\/order\/orders {2}14\.0 ms/);
    expect(result.stdout).toMatch(/shipping {3}duplicate skipped OrderConfirmed {2}3\.0 ms \[duplicate\]/);
    const doubled = await lab('trace', syntheticId(2, 7), '--run', bigRun);
    expect(doubled.stdout.match(/payment {4}charge/g)).toHaveLength(2);
    const missing = await lab('trace', syntheticId(2, 5000), '--run', bigRun);
    expect(missing.exitCode).toBe(2);
  }, 60_000);

  it('lab report rewrites the page; lab check exits as the run did', async () => {
    const report = await lab('report', bigRun);
    expect(report.exitCode).toBe(0);
    expect(report.stdout).toMatch(/report\.html \(\d+ kB, written in \d+ ms\)/);
    const check = await lab('check', bigRun);
    expect(check.exitCode).toBe(0);
    expect(check.stdout).toContain('same verdicts and evidence as the live run');
  }, 60_000);
});
