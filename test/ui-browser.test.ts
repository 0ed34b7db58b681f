/**
 * `lab ui`, the live console, on a real local stack started with `bin/lab up`, driven in Debian's
 * chromium through playwright-core:
 * - a mutating request without the admin secret is refused (401) and changes nothing;
 * - from the page: an order reaches CONFIRMED and its saga diagram is drawn; a latency toxic on
 *   payment.db shows in `lab fault list`; inventory killed goes unhealthy and comes back after a
 *   restart; with the inbox switched off, duplicates from inventory's relay charge an order twice;
 * - no console error; the console idles under 2% of a core and 80 MB RSS, and the page stays
 *   responsive while 50 orders/s flow (events reach it in batches).
 * Screenshots are kept in test-artifacts/ (gitignored).
 */

import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableComponents } from '../cli/runtime/local/stack.ts';
import { CHROMIUM, labIn, openChromium } from './lab-cli.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, '../test-artifacts');
const ready = existsSync(CHROMIUM) && availableComponents().some((component) => component.name === 'gateway');
const CLOCK_TICKS = 100;

let home: string;
let consoleUrl: string;
let origin: string;
let browser: BrowserContext;
let page: Page;
const errors: string[] = [];

const lab = labIn(() => home);

function consolePid(): number {
  return (JSON.parse(readFileSync(path.join(home, 'console.json'), 'utf8')) as { pid: number }).pid;
}

/**
 * CPU seconds (user + system) and resident MB of a process, from /proc: all of it (VmRSS) and its
 * private part (RssAnon; the rest is the node binary's file pages, shared by every Node process).
 */
function usage(pid: number): { cpuSeconds: number; rssMb: number; privateMb: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1]);
  return {
    cpuSeconds: (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS,
    rssMb: kb('VmRSS') / 1024,
    privateMb: kb('RssAnon') / 1024,
  };
}

async function shot(name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `ui-${name}.png`), fullPage: true });
}

describe.skipIf(!ready)('lab ui: the live console of a running stack', () => {
  beforeAll(async () => {
    home = mkdtempSync(path.join(tmpdir(), 'lab-ui-'));
    mkdirSync(ARTIFACTS, { recursive: true });
    const up = await lab('up', '--runtime', 'local');
    if (up.exitCode !== 0) throw new Error(`lab up failed:\n${up.all}`);
    const url = /console\s+(http:\/\/127\.0\.0\.1:\d+\/\?token=\w+)/.exec(up.stdout)?.[1];
    if (!url) throw new Error(`lab up printed no console URL:\n${up.stdout}`);
    consoleUrl = url;
    origin = new URL(url).origin;
    browser = await openChromium({ width: 1440, height: 1000 });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    if (!home) return;
    const pid = existsSync(path.join(home, 'console.json')) ? consolePid() : undefined;
    await lab('down', '--purge');
    // The console notices its stack is gone and exits by itself.
    if (pid) for (let i = 0; i < 40 && existsSync(`/proc/${pid}`); i++) await sleep(250);
    if (pid && existsSync(`/proc/${pid}`)) process.kill(pid, 'SIGTERM');
    rmSync(home, { recursive: true, force: true });
  }, 120_000);

  it('idles under 2% of a core and 80 MB resident', async () => {
    const pid = consolePid();
    const start = usage(pid);
    await sleep(30_000);
    const end = usage(pid);
    const cpuShare = (end.cpuSeconds - start.cpuSeconds) / 30;
    console.log(
      `idle console over 30 s: ${(cpuShare * 100).toFixed(2)}% of a core, RSS ${end.rssMb.toFixed(1)} MB (private ${end.privateMb.toFixed(1)} MB)`,
    );
    expect(cpuShare).toBeLessThan(0.02);
    expect(end.rssMb).toBeLessThan(80);
  }, 60_000);

  it('refuses a mutating request without the secret (401) and changes nothing', async () => {
    const toxic = await fetch(`${origin}/api/links/toxics`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ link: 'payment.db', type: 'latency', attributes: { latency: 500 } }),
    });
    expect(toxic.status).toBe(401);
    const kill = await fetch(`${origin}/api/processes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: 'lab_console=forged' },
      body: JSON.stringify({ action: 'kill', target: 'inventory' }),
    });
    expect(kill.status).toBe(401);
    const list = await lab('fault', 'list');
    expect(list.stdout).not.toContain('latency');
    const status = await lab('status', '--json');
    const inventory = (
      JSON.parse(status.stdout) as { processes: Array<{ name: string; healthy: boolean }> }
    ).processes.find((process) => process.name === 'inventory');
    expect(inventory?.healthy).toBe(true);
    // A page that rebound its DNS to the loopback port is not answered at all.
    const rebound = await new Promise<number>((resolve, reject) =>
      request(`${origin}/api/session`, { headers: { host: 'evil.example' } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      })
        .on('error', reject)
        .end(),
    );
    expect(rebound).toBe(403);
  });

  it('opens with the token, places an order from the page and shows it CONFIRMED with its saga', async () => {
    page = await browser.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(consoleUrl);
    // The token left the address bar and became an HttpOnly cookie.
    expect(page.url()).toBe(`${origin}/`);
    const cookies = await browser.cookies(origin);
    expect(cookies.find((cookie) => cookie.name === 'lab_console')).toMatchObject({
      httpOnly: true,
      sameSite: 'Strict',
    });
    await page.waitForSelector('body[data-live="true"]');
    await page.waitForSelector('tr[data-process="gateway"][data-health="healthy"]');
    await page.locator('[data-action="order"]').first().click();
    await page.waitForSelector('#order-detail[data-status="CONFIRMED"]', { timeout: 30_000 });
    // The panel redraws until the saga settles: every step ends up in the diagram.
    const diagram = page.locator('#order-detail .diagram svg.seq');
    for (const event of [
      'OrderPlaced',
      'StockReserved',
      'PaymentCaptured',
      'OrderConfirmed',
      'ShipmentScheduled',
    ])
      await expect
        .poll(async () => (await diagram.textContent()) ?? '', { timeout: 15_000 })
        .toContain(event);
    // Its trace from the stack's span receiver, down to shipping's handler.
    await page.waitForSelector('#order-detail svg.waterfall g.span[data-service="shipping"]', {
      timeout: 15_000,
    });
    expect(await page.locator('#order-detail svg.waterfall').textContent()).toContain(
      'POST /api/order/orders',
    );
    await page.waitForSelector('tr.order-row[data-status="CONFIRMED"]');
    await page.waitForFunction(() => document.querySelectorAll('#event-list .event').length >= 4);
    await shot('order-confirmed');
  });

  it('adds a latency toxic on payment.db from the page, seen by `lab fault list`, and removes it', async () => {
    await page.selectOption('#toxic-link', 'payment.db');
    await page.selectOption('#toxic-type', 'latency');
    await page.fill('input[name="attr:latency"]', '250');
    await page.click('#toxic-form button');
    await page.waitForSelector('.link[data-link="payment.db"] .chip');
    const list = await lab('fault', 'list');
    expect(list.stdout).toMatch(/payment\.db[\s\S]*latency/);
    expect(list.stdout).toContain('250');
    await shot('toxic');
    await page.click('.link[data-link="payment.db"] [data-action="remove-toxic"]');
    await page.waitForSelector('.link[data-link="payment.db"] .chip', { state: 'detached' });
    expect((await lab('fault', 'list')).stdout).not.toContain('latency');
  });

  it('kills inventory from the page, shows it down, and brings it back with restart', async () => {
    const row = 'tr[data-process="inventory"]';
    await page.click(`${row} [data-verb="kill"]`);
    await page.waitForSelector(`${row}:not([data-health="healthy"])`, { timeout: 15_000 });
    await shot('inventory-killed');
    await page.click(`${row} [data-verb="restart"]`);
    await page.waitForSelector(`${row}[data-health="healthy"]`, { timeout: 60_000 });
  }, 90_000);

  it('stays responsive at 50 orders/s, with events batched', async () => {
    await page.fill('#load-form input[name="orders"]', '150');
    await page.fill('#load-form input[name="rate"]', '50');
    const before = usage(consolePid());
    await page.click('#load-form button:not([type])');
    // Count the stream's messages and the page's worst event-loop stall while the load runs.
    const probe = await page.evaluate(async () => {
      const stream = new EventSource('/api/stream');
      let messages = 0;
      stream.onmessage = () => messages++;
      let worst = 0;
      let last = performance.now();
      const timer = setInterval(() => {
        const now = performance.now();
        worst = Math.max(worst, now - last - 50);
        last = now;
      }, 50);
      const clickStart = performance.now();
      (document.querySelector('#orders h2') as HTMLElement).click();
      const clickMs = performance.now() - clickStart;
      await new Promise((resolve) => setTimeout(resolve, 5000));
      clearInterval(timer);
      stream.close();
      return { messagesPerSecond: messages / 5, worstStallMs: worst, clickMs };
    });
    const after = usage(consolePid());
    await page.waitForFunction(
      () => /finished/.test(document.getElementById('load')?.textContent ?? ''),
      null,
      {
        timeout: 60_000,
      },
    );
    const load = await page.textContent('#load');
    console.log(
      `under load: ${JSON.stringify(probe)}, console CPU ${(((after.cpuSeconds - before.cpuSeconds) / 5) * 100).toFixed(1)}% of a core, RSS ${after.rssMb.toFixed(0)} MB (private ${after.privateMb.toFixed(0)} MB); ${load}`,
    );
    expect(probe.messagesPerSecond).toBeLessThanOrEqual(4.5);
    // The machine is shared and the stack itself is busy: the bound is generous, the figure is logged.
    expect(probe.worstStallMs).toBeLessThan(1000);
    expect(load).toMatch(/1\d\d placed/);
    await shot('load');
  }, 90_000);

  it('with the inbox switched off, duplicates from inventory charge an order twice', async () => {
    await page.check('#pattern-form input[name="inbox"]');
    await page.click('#pattern-form button');
    await page.click('[data-action="confirm-patterns"]');
    await page.waitForSelector('#busy:not([hidden])');
    await shot('recreating');
    await page.waitForSelector('#stack-line:has-text("without inbox")', { timeout: 120_000 });
    await page.waitForSelector('#busy[hidden]', { state: 'attached', timeout: 120_000 });
    await page.waitForSelector('tr[data-process="gateway"][data-health="healthy"]', { timeout: 30_000 });
    await page.selectOption('#fault-kind', 'duplicate');
    await page.selectOption('#fault-service', 'inventory');
    await page.click('#fault-form button');
    await page.waitForSelector('[data-fault="duplicate"]');
    await page.locator('[data-action="order"]').first().click();
    await page.waitForSelector('#order-detail[data-charges="2"]', { timeout: 30_000 });
    expect(await page.textContent('#order-detail')).toContain('2 charges');
    await page.waitForSelector('tr.order-row .badge.bad:has-text("charged twice")');
    await shot('double-charge');
    expect(errors).toEqual([]);
  }, 200_000);
});
