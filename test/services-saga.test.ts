import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { Kafka, logLevel } from 'kafkajs';
import { beforeAll, describe, expect, it } from 'vitest';
import { TOPICS } from '../services/kit/events.ts';
import { type Api, type Body, type Shop, unique, withShop } from './services-stack.ts';
import { JWT_SECRET, query, waitFor } from './services-support.ts';

let shop: Shop;
let api: Api;

withShop((started, client) => {
  shop = started;
  api = client;
});

/** A customer token shaped like auth's, signed with `secret`: expiring at `expires` (a time or `1h`). */
function customerJwt(secret: string, expires: number | string, issuedAt?: number): Promise<string> {
  const jwt = new SignJWT({ role: 'customer' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(randomUUID())
    .setIssuer('lab-auth')
    .setExpirationTime(expires);
  if (issuedAt !== undefined) jwt.setIssuedAt(issuedAt);
  return jwt.sign(new TextEncoder().encode(secret));
}

async function history(token: string, orderId: string, length: number): Promise<string[]> {
  return waitFor(`${length} history entries`, async () => {
    const { body } = await api.order(token, orderId);
    const types = (body.history as Array<{ event_type: string }>).map((entry) => entry.event_type);
    return types.length >= length ? types : undefined;
  });
}

describe('the saga through the gateway', () => {
  it('happy path: register, top up, order → CONFIRMED, one payment, units sold, one shipment, full history', async () => {
    const sku = unique('bread');
    await api.seedProduct(sku, 450, 5);
    const email = `${unique('ann')}@example.com`;
    const registered = await api.request('POST', '/api/auth/register', {
      body: { email, password: 'long enough pw' },
    });
    expect(registered.status).toBe(201);
    const token = registered.body.token as string;
    const login = await api.request('POST', '/api/auth/login', {
      body: { email, password: 'long enough pw' },
    });
    expect(login.status).toBe(200);
    const topUp = await api.request('POST', '/api/payment/account/top-up', {
      token,
      body: { amount_cents: 2000 },
    });
    expect(topUp.body.balance_cents).toBe(2000);
    const products = await api.request('GET', '/api/catalog/products');
    expect(products.body.products.map((product: { sku: string }) => product.sku)).toContain(sku);

    const placed = await api.placeOrder(token, [{ sku, quantity: 2 }]);
    expect(placed.status).toBe(202);
    expect(placed.body.order).toMatchObject({ status: 'PENDING', total_cents: 900 });
    const done = await api.waitTerminal(token, placed.body.order.id);
    expect(done.order.status).toBe('CONFIRMED');

    const types = await history(token, placed.body.order.id, 6);
    // The chain is sequential up to OrderConfirmed; StockConsumed and ShipmentScheduled both follow
    // from OrderConfirmed, in parallel, so either may come first.
    expect(types.slice(0, 4)).toEqual(['OrderPlaced', 'StockReserved', 'PaymentCaptured', 'OrderConfirmed']);
    expect(types.slice(4).sort()).toEqual(['ShipmentScheduled', 'StockConsumed']);
    await waitFor('units sold', async () => (await shop.footprint(placed.body.order.id)).sold === 2);
    expect(await shop.footprint(placed.body.order.id)).toEqual({
      charges: 1,
      refunds: 0,
      sold: 2,
      reserved: 0,
      shipments: 1,
    });
    const account = await api.request('GET', '/api/payment/account', { token });
    expect(account.body.balance_cents).toBe(1100);
  });

  it('insufficient stock → CANCELLED, nothing charged, nothing held', async () => {
    const sku = unique('cake');
    await api.seedProduct(sku, 300, 1);
    const { token } = await api.seedCustomer(`${unique('bob')}@example.com`, 5000);
    const placed = await api.placeOrder(token, [{ sku, quantity: 2 }]);
    const done = await api.waitTerminal(token, placed.body.order.id);
    expect(done.order).toMatchObject({ status: 'CANCELLED', reason: 'insufficient_stock' });
    expect(await shop.footprint(placed.body.order.id)).toEqual({
      charges: 0,
      refunds: 0,
      sold: 0,
      reserved: 0,
      shipments: 0,
    });
    expect((await api.request('GET', '/api/payment/account', { token })).body.balance_cents).toBe(5000);
  });

  it('insufficient funds → CANCELLED, units released, nothing charged', async () => {
    const sku = unique('wine');
    const product = await api.seedProduct(sku, 2500, 3);
    const { token } = await api.seedCustomer(`${unique('cy')}@example.com`, 1000);
    const placed = await api.placeOrder(token, [{ product_id: product.id, quantity: 1 }]);
    const done = await api.waitTerminal(token, placed.body.order.id);
    expect(done.order).toMatchObject({ status: 'CANCELLED', reason: 'insufficient_funds' });
    const types = await history(token, placed.body.order.id, 5);
    expect(types).toEqual(
      expect.arrayContaining([
        'OrderPlaced',
        'StockReserved',
        'PaymentDeclined',
        'OrderCancelled',
        'StockReleased',
      ]),
    );
    await waitFor('units released', async () => (await shop.footprint(placed.body.order.id)).reserved === 0);
    expect(await shop.footprint(placed.body.order.id)).toEqual({
      charges: 0,
      refunds: 0,
      sold: 0,
      reserved: 0,
      shipments: 0,
    });
    expect(await shop.availableUnits(product.id)).toBe(3);
  });

  it('never sells an expired unit and takes the oldest first', async () => {
    const sku = unique('milk');
    const product = await api.seedProduct(sku, 100, 1, {
      produced_at: '2020-01-01T00:00:00Z',
      expires_at: '2020-02-01T00:00:00Z',
    });
    await api.request('POST', '/api/admin/stock', {
      admin: true,
      body: { product_id: product.id, units: 1, produced_at: '2026-01-02T00:00:00Z' },
    });
    await api.request('POST', '/api/admin/stock', {
      admin: true,
      body: { product_id: product.id, units: 1, produced_at: '2026-01-01T00:00:00Z' },
    });
    const { token } = await api.seedCustomer(`${unique('dee')}@example.com`, 1000);
    const first = await api.placeOrder(token, [{ sku, quantity: 1 }]);
    expect((await api.waitTerminal(token, first.body.order.id)).order.status).toBe('CONFIRMED');
    const [unit] = await query<{ produced_at: Date }>(
      shop.db('inventory'),
      'SELECT produced_at FROM stock_units WHERE order_id = $1',
      [first.body.order.id],
    );
    expect(unit!.produced_at.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    const second = await api.placeOrder(token, [{ sku, quantity: 1 }]);
    expect((await api.waitTerminal(token, second.body.order.id)).order.status).toBe('CONFIRMED');
    const third = await api.placeOrder(token, [{ sku, quantity: 1 }]);
    expect((await api.waitTerminal(token, third.body.order.id)).order).toMatchObject({
      status: 'CANCELLED',
      reason: 'insufficient_stock',
    });
    expect(
      await shop.count(
        'inventory',
        `SELECT count(*) AS n FROM stock_units WHERE product_id = $1 AND expires_at < now() AND status <> 'available'`,
        [product.id],
      ),
    ).toBe(0);
  });

  it('a customer cancel while pending is compensated: no net charge, no units held, no shipment', async () => {
    const sku = unique('jam');
    await api.seedProduct(sku, 200, 50);
    const { token } = await api.seedCustomer(`${unique('eve')}@example.com`, 100_000);
    const orders: string[] = [];
    for (let i = 0; i < 10; i++) {
      const placed = await api.placeOrder(token, [{ sku, quantity: 1 }]);
      orders.push(placed.body.order.id);
      await api.request('POST', `/api/order/orders/${placed.body.order.id}/cancel`, { token, body: {} });
    }
    for (const id of orders) {
      const done = await api.waitTerminal(token, id);
      if (done.order.status !== 'CANCELLED') continue; // the saga won the race: a normal confirmed order
      await waitFor('compensation', async () => {
        const print = await shop.footprint(id);
        return print.reserved === 0 && print.charges === print.refunds;
      });
      const print = await shop.footprint(id);
      expect(print.sold + print.shipments).toBe(0);
    }
  });
});

describe('bad input through the gateway: a specific 4xx, nothing written, nothing published', () => {
  let token: string;
  let sku: string;
  const snapshot = async () => ({
    orders: await shop.count('order', 'SELECT count(*) AS n FROM orders'),
    users: await shop.count('auth', 'SELECT count(*) AS n FROM users'),
    outbox: {
      order: await shop.count('order', 'SELECT count(*) AS n FROM outbox'),
      auth: await shop.count('auth', 'SELECT count(*) AS n FROM outbox'),
    },
  });

  beforeAll(async () => {
    sku = unique('tea');
    await api.seedProduct(sku, 100, 10);
    token = (await api.seedCustomer(`${unique('fay')}@example.com`, 1000)).token;
  });

  const cases: Array<[string, () => Promise<{ status: number; body: Body }>, number, string]> = [
    [
      'malformed JSON',
      () => api.request('POST', '/api/order/orders', { token, raw: '{"lines": [' }),
      400,
      'E_BAD_JSON',
    ],
    [
      'unknown product',
      () => api.placeOrder(token, [{ sku: 'no-such-sku', quantity: 1 }]),
      422,
      'E_UNKNOWN_PRODUCT',
    ],
    [
      'unknown product id',
      () => api.placeOrder(token, [{ product_id: randomUUID(), quantity: 1 }]),
      422,
      'E_UNKNOWN_PRODUCT',
    ],
    ['zero quantity', () => api.placeOrder(token, [{ sku, quantity: 0 }]), 400, 'E_VALIDATION'],
    ['negative quantity', () => api.placeOrder(token, [{ sku, quantity: -3 }]), 400, 'E_VALIDATION'],
    ['fractional quantity', () => api.placeOrder(token, [{ sku, quantity: 1.5 }]), 400, 'E_VALIDATION'],
    ['no lines', () => api.placeOrder(token, []), 400, 'E_VALIDATION'],
    [
      'missing JWT',
      () => api.request('POST', '/api/order/orders', { body: { lines: [{ sku, quantity: 1 }] } }),
      401,
      'E_UNAUTHENTICATED',
    ],
    [
      'forged JWT',
      async () =>
        api.placeOrder(await customerJwt('not-the-secret-not-the-secret', '1h'), [{ sku, quantity: 1 }]),
      401,
      'E_TOKEN_INVALID',
    ],
    [
      'expired JWT',
      async () => {
        const now = Math.floor(Date.now() / 1000);
        return api.placeOrder(await customerJwt(JWT_SECRET, now - 3600, now - 7200), [{ sku, quantity: 1 }]);
      },
      401,
      'E_TOKEN_EXPIRED',
    ],
    ['garbage JWT', () => api.placeOrder('abc.def.ghi', [{ sku, quantity: 1 }]), 401, 'E_TOKEN_INVALID'],
    [
      'duplicate registration',
      async () => {
        const email = `${unique('gus')}@example.com`;
        await api.request('POST', '/api/auth/register', { body: { email, password: 'long enough pw' } });
        return api.request('POST', '/api/auth/register', {
          body: { email: email.toUpperCase(), password: 'long enough pw' },
        });
      },
      409,
      'E_EMAIL_TAKEN',
    ],
    [
      'short password',
      () =>
        api.request('POST', '/api/auth/register', { body: { email: 'x@example.com', password: 'short' } }),
      400,
      'E_VALIDATION',
    ],
    [
      'bad email',
      () =>
        api.request('POST', '/api/auth/register', { body: { email: 'nope', password: 'long enough pw' } }),
      400,
      'E_VALIDATION',
    ],
    [
      'wrong password',
      () =>
        api.request('POST', '/api/auth/login', {
          body: { email: 'x@example.com', password: 'wrong password' },
        }),
      401,
      'E_BAD_CREDENTIALS',
    ],
    [
      'negative top-up',
      () => api.request('POST', '/api/payment/account/top-up', { token, body: { amount_cents: -5 } }),
      400,
      'E_VALIDATION',
    ],
    [
      'seed without admin',
      () => api.request('POST', '/api/admin/products', { body: { sku: 'x', price_cents: 1 } }),
      401,
      'E_UNAUTHENTICATED',
    ],
    [
      'seed as a customer',
      () => api.request('POST', '/api/admin/products', { token, body: { sku: 'x', price_cents: 1 } }),
      403,
      'E_FORBIDDEN',
    ],
    ["someone else's order", () => api.order(token, randomUUID()), 404, 'E_NOT_FOUND'],
    ['unknown route', () => api.request('GET', '/api/nothing'), 404, 'E_NOT_FOUND'],
  ];

  for (const [name, send, status, code] of cases)
    it(name, async () => {
      const before = await snapshot();
      const response = await send();
      expect(response.status).toBe(status);
      expect(response.body.error.code).toBe(code);
      expect(response.body.error.message).toEqual(expect.any(String));
      const after = await snapshot();
      if (name === 'duplicate registration') {
        // The first registration (the setup) wrote one user and one event; the refused one nothing.
        expect(after.users).toBe(before.users + 1);
        expect(after.outbox.auth).toBe(before.outbox.auth + 1);
        expect(after.orders).toBe(before.orders);
      } else expect(after).toEqual(before);
    });
});

describe('concurrency', () => {
  it('200 orders racing for 100 units: exactly 100 sold, none twice', async () => {
    const sku = unique('gold');
    const product = await api.seedProduct(sku, 100, 100);
    const customers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => api.seedCustomer(`${unique(`race${i}`)}@example.com`, 100_000)),
    );
    const placed = await Promise.all(
      Array.from({ length: 200 }, (_, i) => api.placeOrder(customers[i % 20]!.token, [{ sku, quantity: 1 }])),
    );
    expect(placed.every((response) => response.status === 202)).toBe(true);
    const outcomes = await Promise.all(
      placed.map((response, i) =>
        api.waitTerminal(customers[i % 20]!.token, response.body.order.id, 120_000),
      ),
    );
    const confirmed = outcomes.filter((outcome) => outcome.order.status === 'CONFIRMED');
    expect(confirmed).toHaveLength(100);
    await waitFor(
      'every confirmed order sold',
      async () =>
        (await shop.count(
          'inventory',
          `SELECT count(*) AS n FROM stock_units WHERE product_id = $1 AND status = 'sold'`,
          [product.id],
        )) === 100,
    );
    expect(
      await shop.count(
        'inventory',
        'SELECT count(DISTINCT order_id) AS n FROM stock_units WHERE product_id = $1 AND status = $2',
        [product.id, 'sold'],
      ),
    ).toBe(100);
    expect(
      await shop.count(
        'payment',
        `SELECT count(*) AS n FROM payments WHERE kind = 'charge' AND order_id = ANY($1::uuid[])`,
        [confirmed.map((outcome) => outcome.order.id)],
      ),
    ).toBe(100);
  }, 180_000);
});

const BINARY_POISON = Buffer.from([0xff, 0xfe, 0x00, 0x01]);

describe('poison messages', () => {
  it('on every topic: dead-lettered after bounded retries, and the consumers keep going', async () => {
    const kafka = new Kafka({
      clientId: 'poisoner',
      brokers: [shop.broker.bootstrap],
      logLevel: logLevel.NOTHING,
    });
    const producer = kafka.producer();
    await producer.connect();
    const before = await Promise.all(
      (['inventory', 'payment', 'order', 'shipping'] as const).map((service) =>
        shop.count(service, 'SELECT count(*) AS n FROM dead_letters'),
      ),
    );
    try {
      for (const topic of TOPICS) {
        // Not JSON, with the headers of an event each consumer of the topic handles.
        await producer.send({
          topic,
          messages: [
            {
              key: 'poison',
              value: '{not json',
              headers: { 'event-id': randomUUID(), 'event-type': 'OrderPlaced' },
            },
          ],
        });
        // Valid JSON, wrong payload for a handled type.
        const type = {
          orders: 'OrderCancelled',
          inventory: 'StockReserved',
          payments: 'PaymentCaptured',
          shipping: 'ShipmentScheduled',
          users: 'UserRegistered',
          catalog: 'ProductCreated',
        }[topic];
        await producer.send({
          topic,
          messages: [
            {
              key: 'poison',
              value: '{"order_id": 42}',
              headers: { 'event-id': randomUUID(), 'event-type': type },
            },
          ],
        });
      }
      // Not text at all: bytes with a NUL, which no text column can hold.
      await producer.send({
        topic: 'orders',
        messages: [
          {
            key: Buffer.from([0x70, 0x00]),
            value: BINARY_POISON,
            headers: { 'event-id': randomUUID(), 'event-type': 'OrderPlaced' },
          },
        ],
      });
    } finally {
      await producer.disconnect();
    }
    // Bad JSON is poison for every consumer of the topic; a bad payload only for those that handle its type
    // (shipping ignores OrderCancelled). payment reads users, inventory, orders; order reads inventory, payments, shipping.
    // The binary message on `orders` is poison for its three consumers: inventory, payment, shipping.
    const expected = { inventory: 2 + 1, payment: 2 + 2 + 2 + 1, order: 2 + 2 + 2, shipping: 1 + 1 };
    await waitFor(
      'dead letters',
      async () => {
        const now = await Promise.all(
          (['inventory', 'payment', 'order', 'shipping'] as const).map((service) =>
            shop.count(service, 'SELECT count(*) AS n FROM dead_letters'),
          ),
        );
        return now.every((n, i) => n - before[i]! >= Object.values(expected)[i]!);
      },
      { timeoutMs: 60_000 },
    );
    const [letter] = await query<{ attempts: number; error: string }>(
      shop.db('payment'),
      'SELECT attempts, error FROM dead_letters LIMIT 1',
    );
    expect(letter!.attempts).toBe(3);
    const binary = await query<{ value: Buffer }>(
      shop.db('inventory'),
      'SELECT value FROM dead_letters WHERE value = $1',
      [BINARY_POISON],
    );
    expect(binary).toHaveLength(1);
    expect(binary[0]!.value.equals(BINARY_POISON)).toBe(true);
    // The consumers moved on: a new order still completes.
    const sku = unique('after-poison');
    await api.seedProduct(sku, 100, 1);
    const { token } = await api.seedCustomer(`${unique('hal')}@example.com`, 1000);
    const placed = await api.placeOrder(token, [{ sku, quantity: 1 }]);
    expect((await api.waitTerminal(token, placed.body.order.id)).order.status).toBe('CONFIRMED');
    // The DLQ topics hold them too.
    const consumer = kafka.consumer({ groupId: unique('dlq-reader') });
    const seen: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topics: ['orders.dlq'], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => void seen.push(message.headers?.error?.toString() ?? ''),
    });
    await waitFor('orders.dlq messages', async () => seen.length >= 3, { timeoutMs: 30_000 });
    await consumer.disconnect();
    expect(seen.some((error) => error.includes('not JSON'))).toBe(true);
  }, 120_000);
});
