/**
 * `lab up` on a fresh home, as a learner meets it: the demo menu is seeded and said so, the curl
 * lines it prints (the README's) place an order that reaches CONFIRMED with no admin step; other
 * pattern switches against the running stack are refused with the command that recreates it;
 * the next `lab up` reuses the ports; `lab psql`; `lab fault` app-level faults, the refused
 * toxic without its attribute, and `lab fault reset` turning the service hooks off. The stack's
 * span receiver collects that order's trace, and `lab trace` prints its spans.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const LAB = new URL('../bin/lab', import.meta.url).pathname;
let home: string;
let upOutput: string;
/** The order the printed curl lines placed. */
let curlOrder: string;
const env = () => ({ ...process.env, LAB_HOME: home, CI: 'true', FORCE_COLOR: '0' });
const lab = (...args: string[]) => execa(process.execPath, [LAB, ...args], { reject: false, env: env() });
const state = () =>
  JSON.parse(readFileSync(path.join(home, 'state.json'), 'utf8')) as {
    ports: Record<string, Record<string, number>>;
    endpoints: { gatewayUrl: string; adminToken: string; services: Record<string, string> };
  };

async function hooksOf(service: string): Promise<{ duplicate: unknown; relay_crash: boolean }> {
  const { endpoints } = state();
  const response = await fetch(`${endpoints.services[service]}/admin/faults`, {
    headers: { 'x-lab-admin-token': endpoints.adminToken },
  });
  return (await response.json()) as { duplicate: unknown; relay_crash: boolean };
}

describe('lab up for a learner', () => {
  beforeAll(async () => {
    home = mkdtempSync(path.join(tmpdir(), 'lab-up-'));
    // A fast lab clock at lab noon: the demo bakery's oven fills the shelves while the tests run.
    const up = await execa(
      process.execPath,
      [LAB, 'up', '--runtime', 'local', '--clock-speed', '60', '--clock-start', '12:00'],
      { env: env(), reject: false, all: true },
    );
    upOutput = up.all ?? '';
    expect(up.exitCode, upOutput).toBe(0);
  }, 180_000);

  afterAll(async () => {
    await lab('down', '--purge');
    rmSync(home, { recursive: true, force: true });
  }, 120_000);

  it('seeds the demo bakery menu and says so', async () => {
    expect(upOutput).toContain('lab: demo bakery menu: added sourdough, baguette, rye, croissant');
    const { products } = (await (
      await fetch(`${state().endpoints.gatewayUrl}/api/catalog/products`)
    ).json()) as {
      products: Array<{ sku: string }>;
    };
    expect(products.map((product) => product.sku)).toContain('glazed-donut');
    expect((await lab('seed')).stdout).toBe('demo bakery menu: already in the catalog (7 products)');
  });

  it('the curl lines it prints place an order that reaches CONFIRMED, no admin step', async () => {
    const tryIt = upOutput.slice(upOutput.indexOf('Try it'), upOutput.indexOf('Stop it with'));
    const commands = tryIt
      .split('\n')
      .slice(1)
      .map((line) => line.replace(/^ {2}/, ''))
      .join('\n');
    const placed = await execa('bash', ['-c', commands], { reject: false });
    expect(placed.exitCode, placed.stderr).toBe(0);
    // The top-up's answer and the order's share a line (curl adds no newline): the order is last.
    const order = (
      JSON.parse(placed.stdout.slice(placed.stdout.lastIndexOf('{"order"'))) as {
        order: { id: string; status: string };
      }
    ).order;
    expect(order.status).toBe('PENDING');
    // The same customer reads the order back (the order id is enough for the test; log in again).
    const login = (await (
      await fetch(`${state().endpoints.gatewayUrl}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'you@example.com', password: 'a long password' }),
      })
    ).json()) as { token: string };
    let status = 'PENDING';
    for (let attempt = 0; attempt < 100 && status === 'PENDING'; attempt++) {
      await sleep(200);
      const read = (await (
        await fetch(`${state().endpoints.gatewayUrl}/api/order/orders/${order.id}`, {
          headers: { authorization: `Bearer ${login.token}` },
        })
      ).json()) as { order: { status: string } };
      status = read.order.status;
    }
    expect(status).toBe('CONFIRMED');
    curlOrder = order.id;
  }, 60_000);

  it("the span receiver runs in the stack and keeps that order's trace; lab trace prints its spans", async () => {
    const listed = JSON.parse((await lab('status', '--json')).stdout) as {
      processes: Array<{ name: string; state: string; healthy: boolean }>;
    };
    expect(listed.processes.find((process) => process.name === 'otel-collector')).toMatchObject({
      state: 'running',
      healthy: true,
    });
    const spansOfOrder = () =>
      readFileSync(path.join(home, 'spans.jsonl'), 'utf8')
        .split('\n')
        .filter((line) => line.includes(curlOrder))
        .map((line) => JSON.parse(line) as { traceId: string; service: string; name: string });
    // Exporters send their batches every second.
    for (let attempt = 0; attempt < 50; attempt++) {
      if (spansOfOrder().some((span) => span.service === 'shipping')) break;
      await sleep(200);
    }
    const spans = spansOfOrder();
    expect(new Set(spans.map((span) => span.traceId)).size).toBe(1);
    // The saga's five services, and the search projection, which reads inventory's events too.
    expect([...new Set(spans.map((span) => span.service))].sort()).toEqual(
      expect.arrayContaining(['gateway', 'inventory', 'order', 'payment', 'shipping']),
    );
    const trace = await lab('trace', curlOrder);
    expect(trace.exitCode, trace.stderr).toBe(0);
    expect(trace.stdout).toContain(`trace ${spans[0]!.traceId}`);
    expect(trace.stdout).toMatch(/gateway\s+POST \/api\/order\/orders {2}\d+\.\d ms/);
    expect(trace.stdout).toMatch(/shipping\s+handle OrderConfirmed {2}\d+\.\d ms/);
    expect(trace.stdout).not.toContain('no spans recorded');
  }, 30_000);

  it('runs the lab clock it was given: status shows it, the oven fills the shelves, another speed is refused', async () => {
    const status = JSON.parse((await lab('status', '--json')).stdout) as {
      clock: { speed: number; start: string };
    };
    expect(status.clock.speed).toBe(60);
    expect(status.clock.start).toMatch(/T12:00:00\.000Z$/);
    expect((await lab('status')).stdout).toMatch(/lab clock 60x, lab time \d{4}-\d\d-\d\d 12:\d\d UTC/);
    const gateway = state().endpoints.gatewayUrl;
    const { products } = (await (await fetch(`${gateway}/api/catalog/products`)).json()) as {
      products: Array<{ id: string; sku: string; schedule: { every_minutes: number } | null }>;
    };
    const donut = products.find((product) => product.sku === 'glazed-donut')!;
    expect(donut.schedule?.every_minutes).toBe(1);
    // A donut a lab minute, a lab minute a real second: the seeded 100 grow within seconds.
    let available = 0;
    for (let attempt = 0; attempt < 60 && available <= 102; attempt++) {
      const { stock } = (await (await fetch(`${gateway}/api/inventory/stock`)).json()) as {
        stock: Array<{ product_id: string; available: number }>;
      };
      available = stock.find((row) => row.product_id === donut.id)?.available ?? 0;
      if (available <= 102) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(available).toBeGreaterThan(102);
    const refused = await lab('up', '--clock-speed', '120');
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('already running at clock speed 60');
  }, 60_000);

  it('refuses other pattern switches against the running stack, naming --force-recreate', async () => {
    const refused = await lab('up', '--without', 'inbox');
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain('a lab stack is already running with every pattern on');
    expect(refused.stderr).toContain('Recreate it with: lab up --force-recreate --without inbox');
    expect((await lab('status', '--json')).stdout).toContain('"without": []');
    const same = await lab('up');
    expect(same.exitCode).toBe(0);
    expect(same.stdout).toContain('A lab stack is already running');
  });

  it('a toxic without its required attribute is refused with what to add', async () => {
    const refused = await lab('fault', 'add', 'payment.db', 'latency');
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toContain("latency needs 'latency'");
    expect(refused.stderr).toContain('--attr latency=500');
    expect((await lab('fault', 'list', '--json')).stdout).not.toContain('latency_downstream');
  });

  it('lab fault duplicate turns the hook on, list shows it, reset turns it off and says so', async () => {
    const on = await lab('fault', 'duplicate', 'payment', '--probability', '0.5', '--copies', '2');
    expect(on.exitCode, on.stderr).toBe(0);
    expect(on.stdout).toContain(
      'payment: duplicate on: its relay publishes 2 extra copies of each event with probability 0.5',
    );
    expect((await hooksOf('payment')).duplicate).toMatchObject({ probability: 0.5, copies: 2 });
    expect((await lab('fault', 'list')).stdout).toContain(
      'service hooks: payment duplicate (probability 0.5, 2 copies)',
    );
    const reset = await lab('fault', 'reset');
    expect(reset.stdout).toContain('payment: duplicate (probability 0.5, 2 copies) hook off');
    expect(reset.stdout).toContain('1 service hook(s) turned off');
    expect((await hooksOf('payment')).duplicate).toBeNull();
    const bad = await lab('fault', 'duplicate', 'payment', '--probability', '2');
    expect(bad.exitCode).toBe(2);
    expect((await hooksOf('payment')).duplicate).toBeNull();
  });

  it('lab fault duplicate --for heals by itself; broker-restart comes back after --down', async () => {
    const timed = await lab('fault', 'duplicate', 'order', '--for', '1s');
    expect(timed.stdout).toContain('order: duplicate off again');
    expect((await hooksOf('order')).duplicate).toBeNull();
    const restart = await lab('fault', 'broker-restart', '--down', '1s');
    expect(restart.exitCode, restart.stderr).toBe(0);
    expect(restart.stdout).toContain('kafka: back up');
    const status = JSON.parse((await lab('status', '--json')).stdout) as {
      processes: Array<{ name: string; state: string }>;
    };
    expect(status.processes.find((process) => process.name === 'kafka')?.state).toBe('running');
  }, 60_000);

  it('lab psql runs psql on the service database; --show-secret prints the full URL', async () => {
    const rows = await lab('psql', 'catalog', '-c', 'select count(*) from products');
    expect(rows.exitCode, rows.stderr).toBe(0);
    expect(rows.stdout).toMatch(/\b7\b/);
    const url = (await lab('psql', 'order', '--show-secret')).stdout.trim();
    expect(url).toMatch(/^postgres:\/\/order:[0-9a-f]{16,}@127\.0\.0\.1:\d+\/order$/);
    expect((await lab('psql', 'gateway')).exitCode).toBe(2);
  });

  it('the next lab up reuses the ports of this home', async () => {
    const before = state().ports;
    expect((await lab('down')).exitCode).toBe(0);
    const again = await lab('up', '--runtime', 'local');
    expect(again.exitCode, again.stderr).toBe(0);
    expect(state().ports).toEqual(before);
    expect(again.stderr).not.toContain('could not reuse');
  }, 180_000);

  it('lab chaos with other switches recreates the stack for the run and puts it back as it found it', async () => {
    const file = path.join(home, 'tiny-without-inbox.yaml');
    writeFileSync(
      file,
      `name: tiny-without-inbox
description: five orders on a stack without the inbox, nothing else
stack: { without: [inbox] }
setup:
  customers: 1
  balance: 100.00
  products:
    - { sku: bread, price: 1.00, stock: 50 }
workload: { orders: 5, rate: 5/s, concurrency: 1 }
settle: 20s
expect: { verdict: valid, checks: [sagas_terminal] }
`,
    );
    const run = await execa(process.execPath, [LAB, 'chaos', file], { env: env(), reject: false, all: true });
    expect(run.exitCode, run.all).toBe(0);
    expect(run.all).toContain(
      'recreating the stack without inbox (it ran with every pattern on; it is put back afterwards)',
    );
    expect(run.all).toContain('restoring the stack as it was found: with every pattern on');
    const status = JSON.parse((await lab('status', '--json')).stdout) as {
      running: boolean;
      without: string[];
    };
    expect(status).toMatchObject({ running: true, without: [] });
  }, 240_000);
});
