/**
 * The read side end to end, with real processes: the shop's own events reach search through the
 * broker, out-of-order unit events published on other partitions give the right counts, the lag
 * shows in /metrics while the projection is paused, and a truncated store rebuilds from offset 0.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Api, type Body, Shop } from './services-stack.ts';
import { ADMIN_TOKEN, query, waitFor } from './services-support.ts';

let shop: Shop;
let api: Api;
let kafka: Kafka;

beforeAll(async () => {
  shop = await Shop.start();
  api = new Api(shop.gateway);
  kafka = new Kafka({
    clientId: 'search-test',
    brokers: [shop.broker.bootstrap],
    logLevel: logLevel.NOTHING,
  });
}, 180_000);

afterAll(async () => {
  await shop?.stop();
});

const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

async function admin(method: string, path: string, body?: unknown): Promise<Body> {
  const response = await fetch(`${shop.url('search')}${path}`, {
    method,
    headers: {
      'x-lab-admin-token': ADMIN_TOKEN,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  expect(response.status, `${method} ${path}`).toBe(200);
  return response.json();
}

function metric(text: string, name: string): number {
  const line = text.split('\n').find((row) => row.startsWith(`${name}{`) || row.startsWith(`${name} `));
  return Number(line?.split(' ').pop());
}

async function searchFor(params: string): Promise<Body> {
  const response = await api.request('GET', `/api/search/products?${params}`);
  expect(response.status).toBe(200);
  return response.body;
}

/** Waits until search lists `sku` with `available` units. */
async function waitAvailable(sku: string, available: number, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    `search shows ${sku} with ${available} available`,
    async () =>
      (await searchFor(`q=${sku}`)).products.find((p: Body) => p.sku === sku)?.available === available,
    { timeoutMs, intervalMs: 200 },
  );
}

describe('search', () => {
  it('projects the shop: products, stock and a confirmed order, answered through the gateway', async () => {
    const sku = unique('loaf');
    await api.seedProduct(sku, 450, 6);
    await waitAvailable(sku, 6);
    const customer = await api.seedCustomer(`${unique('c')}@example.com`, 10_000);
    const placed = await api.placeOrder(customer.token, [{ sku, quantity: 2 }]);
    expect((await api.waitTerminal(customer.token, placed.body.order.id)).order.status).toBe('CONFIRMED');
    await waitAvailable(sku, 4);
    const answer = await searchFor(`q=${sku}&in_stock=true&sort=price&order=desc&limit=5`);
    expect(answer.products).toEqual([
      expect.objectContaining({
        sku,
        name: sku,
        price_cents: 450,
        list_price_cents: 450,
        discount_percent: 0,
        available: 4,
      }),
    ]);
    const bad = await api.request('GET', '/api/search/products?limit=500');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toEqual({
      code: 'E_VALIDATION',
      message: 'limit: limit must be a whole number from 1 to 100',
    });
    const unknown = await api.request('GET', '/api/search/products?colour=red');
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('E_VALIDATION');
  }, 90_000);

  it("applies a unit's events published out of order on other partitions to the right count", async () => {
    const productId = randomUUID();
    const sku = unique('donut');
    const [a, b] = [randomUUID(), randomUUID()];
    const headers = (type: string) => ({
      'event-id': randomUUID(),
      'event-type': type,
      'correlation-id': randomUUID(),
      'causation-id': randomUUID(),
      producer: 'search-test',
    });
    const message = (type: string, key: string, partition: number, payload: object) => ({
      key,
      partition,
      headers: headers(type),
      value: JSON.stringify(payload),
    });
    const unitIds = [990_001, 990_002, 990_003];
    const producer = kafka.producer();
    await producer.connect();
    try {
      // B's reservation of unit 1 comes first, on partition 0; then A's release of it (partition 1),
      // then the units' production and A's original reservation (partition 2): every arrival
      // order a status column would get wrong.
      await producer.send({
        topic: 'inventory',
        messages: [
          message('StockReserved', b, 0, {
            order_id: b,
            customer_id: randomUUID(),
            units: [990_001],
            amount_cents: 100,
          }),
        ],
      });
      await producer.send({
        topic: 'inventory',
        messages: [message('StockReleased', a, 1, { order_id: a, units: [990_001, 990_002] })],
      });
      await producer.send({
        topic: 'inventory',
        messages: [
          message('StockProduced', productId, 2, {
            product_id: productId,
            unit_ids: unitIds,
            produced_at: new Date().toISOString(),
            expires_at: null,
          }),
          message('StockReserved', a, 2, {
            order_id: a,
            customer_id: randomUUID(),
            units: [990_001, 990_002],
            amount_cents: 200,
          }),
        ],
      });
      await producer.send({
        topic: 'catalog',
        messages: [
          message('ProductCreated', productId, 0, {
            product_id: productId,
            sku,
            name: 'Out of order',
            price_cents: 120,
          }),
        ],
      });
    } finally {
      await producer.disconnect();
    }
    // Unit 1: held by B. Unit 2: reserved and released by A. Unit 3: never held.
    await waitAvailable(sku, 2);
  }, 60_000);

  it('shows the lag in /metrics while paused, serves the stale answer, and catches up on resume', async () => {
    const sku = unique('rye');
    await api.seedProduct(sku, 300, 4);
    await waitAvailable(sku, 4);
    const paused = await admin('POST', '/admin/projection', { paused: true });
    expect(paused).toMatchObject({ paused: true, running: false });
    const customer = await api.seedCustomer(`${unique('c')}@example.com`, 10_000);
    for (let i = 0; i < 3; i++) {
      const placed = await api.placeOrder(customer.token, [{ sku, quantity: 1 }]);
      await api.waitTerminal(customer.token, placed.body.order.id);
    }
    // Each confirmed order: StockReserved and StockConsumed on inventory, at least.
    await waitFor(
      'lag in /metrics',
      async () => {
        const text = await (await fetch(`${shop.url('search')}/metrics`)).text();
        return (
          metric(text, 'lab_projection_lag_events') >= 6 && metric(text, 'lab_projection_lag_seconds') > 0
        );
      },
      { timeoutMs: 15_000, intervalMs: 500 },
    );
    expect((await searchFor(`q=${sku}`)).products[0].available).toBe(4);
    const resumedAt = Date.now();
    await admin('POST', '/admin/projection', { paused: false });
    await waitAvailable(sku, 1);
    await waitFor('lag back to 0', async () => (await admin('GET', '/admin/projection')).lag?.events === 0, {
      timeoutMs: 15_000,
      intervalMs: 200,
    });
    expect(Date.now() - resumedAt).toBeLessThan(15_000);
    const text = await (await fetch(`${shop.url('search')}/metrics`)).text();
    expect(metric(text, 'lab_projection_lag_seconds')).toBe(0);
  }, 90_000);

  it('rebuilds from offset 0 after its store is truncated and the service restarted', async () => {
    const before = (await searchFor('limit=100&sort=name')).products;
    expect(before.length).toBeGreaterThan(2);
    const { group } = await admin('GET', '/admin/projection');
    await query(shop.db('search'), 'TRUNCATE products, units, unit_holds, projection_offsets');
    expect((await searchFor('limit=100')).products).toEqual([]);
    await shop.restart('search');
    await waitFor(
      'search rebuilt',
      async () =>
        JSON.stringify((await searchFor('limit=100&sort=name')).products) === JSON.stringify(before),
      { timeoutMs: 60_000, intervalMs: 300 },
    );
    const rebuilt = await admin('GET', '/admin/projection');
    expect(rebuilt.group).not.toBe(group);
    // The admin endpoint does the same without a restart.
    const again = await admin('POST', '/admin/projection/rebuild');
    expect(again.group).not.toBe(rebuilt.group);
    await waitFor(
      'search rebuilt by the endpoint',
      async () =>
        JSON.stringify((await searchFor('limit=100&sort=name')).products) === JSON.stringify(before),
      { timeoutMs: 60_000, intervalMs: 300 },
    );
  }, 150_000);
});
