/**
 * The database has the last word where money and stock are concerned: real row locks and
 * constraints under concurrency, whatever the kit (here with the reference kit's pool and writer).
 */
import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabClock } from '../common/clock.ts';
import { sweepStale } from '../services/inventory/oven.ts';
import { reserveUnits, type ShelfRule } from '../services/inventory/reserve.ts';
import { createPool, inTransaction, type Pool } from '../services/kit/db.ts';
import type { IncomingEvent } from '../services/kit/events.ts';
import { kitMigrations, migrate } from '../services/kit/migrate.ts';
import { OutboxWriter } from '../services/kit/outbox.ts';
import { paymentHandlers } from '../services/payment/handlers.ts';
import { query, startPostgres, type TestPostgres } from './services-support.ts';

const log = pino({ level: 'silent' });
let pg: TestPostgres;
let inventory: Pool;
let payment: Pool;
const shelf: ShelfRule = { clock: LabClock.real(), staleGuard: true };

const migrations = (service: string) => [
  kitMigrations(),
  { name: service, directory: new URL(`../services/${service}/migrations/`, import.meta.url).pathname },
];

beforeAll(async () => {
  pg = await startPostgres();
  inventory = createPool(pg.urls.inventory, { max: 30 });
  payment = createPool(pg.urls.payment, { max: 10 });
  await migrate(inventory, migrations('inventory'));
  await migrate(payment, migrations('payment'));
});

afterAll(async () => {
  await inventory?.end();
  await payment?.end();
  await pg?.stop();
});

async function addUnits(
  productId: string,
  units: number,
  producedAt: string,
  expiresAt: string | null = null,
) {
  await inventory.query(
    `INSERT INTO stock_units (product_id, produced_at, expires_at) SELECT $1, $3, $4 FROM generate_series(1, $2)`,
    [productId, units, producedAt, expiresAt],
  );
}

describe('the shelf rule against the stale sweep (real row locks, lab time)', () => {
  it('reservations racing sweeps never take a stale or swept unit, and the sweep never takes a reserved one', async () => {
    const donut = randomUUID();
    // A fast clock: 100 donuts going stale one lab minute apart around "now".
    const clock = new LabClock({
      speed: 600,
      startMs: Date.parse('2026-12-03T12:00:00Z'),
      epochMs: Date.now(),
    });
    const fast: ShelfRule = { clock, staleGuard: true };
    const base = Date.parse('2026-12-03T12:00:00Z');
    await inventory.query(
      `INSERT INTO stock_units (product_id, produced_at, expires_at)
       SELECT $1, $2::timestamptz, $2::timestamptz + n * interval '1 minute' FROM generate_series(1, 100) AS n`,
      [donut, new Date(base - 30 * 60_000)],
    );
    const writer = new OutboxWriter({ pool: inventory, producer: 'inventory', useOutbox: true, log });
    const sweeping = (async () => {
      for (let round = 0; round < 20; round++) {
        await sweepStale({ pool: inventory, writer }, clock.labMs());
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    const reserving = Promise.all(
      Array.from({ length: 60 }, () =>
        inTransaction(inventory, (client) =>
          reserveUnits(client, randomUUID(), [{ product_id: donut, quantity: 1 }], fast),
        ),
      ),
    );
    await Promise.all([sweeping, reserving]);
    const units = await query<{
      status: string;
      reserved_at: Date | null;
      expires_at: Date;
      expired_at: Date | null;
    }>(
      pg.urls.inventory,
      'SELECT status, reserved_at, expires_at, expired_at FROM stock_units WHERE product_id = $1',
      [donut],
    );
    const reserved = units.filter((unit) => unit.status === 'reserved');
    expect(reserved.length).toBeGreaterThan(0);
    // Fresh when reserved, by the margin (at 600x one real second is 10 lab minutes).
    for (const unit of reserved)
      expect(unit.expires_at.getTime() - unit.reserved_at!.getTime()).toBeGreaterThan(10 * 60_000);
    for (const unit of units.filter((unit) => unit.status === 'expired'))
      expect(unit.expired_at!.getTime()).toBeGreaterThanOrEqual(unit.expires_at.getTime());
    expect(units.some((unit) => unit.status === 'expired')).toBe(true);
  });

  it('without the stale guard a stale unit is reserved; with it, the order is refused', async () => {
    const product = randomUUID();
    await addUnits(product, 1, '2026-01-01T00:00:00Z', '2026-01-01T01:00:00Z');
    const guarded = await inTransaction(inventory, (client) =>
      reserveUnits(client, randomUUID(), [{ product_id: product, quantity: 1 }], shelf),
    );
    expect(guarded).toEqual({ ok: false, productId: product });
    const unguarded = await inTransaction(inventory, (client) =>
      reserveUnits(client, randomUUID(), [{ product_id: product, quantity: 1 }], {
        ...shelf,
        staleGuard: false,
      }),
    );
    expect(unguarded.ok).toBe(true);
  });
});

describe('inventory reservation (real row locks)', () => {
  it('200 concurrent reservations of one unit for 100 units: exactly 100 succeed, no unit twice', async () => {
    const product = randomUUID();
    await addUnits(product, 100, '2026-01-01T00:00:00Z');
    const results = await Promise.all(
      Array.from({ length: 200 }, () =>
        inTransaction(inventory, (client) =>
          reserveUnits(client, randomUUID(), [{ product_id: product, quantity: 1 }], shelf),
        ),
      ),
    );
    const won = results.filter((result) => result.ok);
    expect(won).toHaveLength(100);
    const units = won.flatMap((result) => (result.ok ? result.units : []));
    expect(new Set(units).size).toBe(100);
    const [row] = await query<{ reserved: number; orders: number }>(
      pg.urls.inventory,
      `SELECT count(*)::int AS reserved, count(DISTINCT order_id)::int AS orders FROM stock_units WHERE product_id = $1 AND status = 'reserved'`,
      [product],
    );
    expect(row).toEqual({ reserved: 100, orders: 100 });
  });

  it('takes the oldest units first, skips expired and soon-expiring ones, and is all-or-nothing', async () => {
    const bread = randomUUID();
    const jam = randomUUID();
    await addUnits(bread, 1, '2026-01-03T00:00:00Z');
    await addUnits(bread, 1, '2026-01-01T00:00:00Z', '2020-01-01T00:00:00Z'); // long expired
    await addUnits(bread, 1, '2026-01-01T00:00:00Z', new Date(Date.now() + 60_000).toISOString()); // expires in a minute
    await addUnits(bread, 1, '2026-01-02T00:00:00Z');
    await addUnits(jam, 1, '2026-01-01T00:00:00Z');
    const order = randomUUID();
    const tooMuch = await inTransaction(inventory, (client) =>
      reserveUnits(
        client,
        order,
        [
          { product_id: bread, quantity: 1 },
          { product_id: jam, quantity: 2 },
        ],
        shelf,
      ),
    );
    expect(tooMuch).toEqual({ ok: false, productId: jam });
    const ok = await inTransaction(inventory, (client) =>
      reserveUnits(client, order, [{ product_id: bread, quantity: 2 }], shelf),
    );
    expect(ok.ok).toBe(true);
    const taken = await query<{ produced_at: Date }>(
      pg.urls.inventory,
      'SELECT produced_at FROM stock_units WHERE order_id = $1 ORDER BY produced_at',
      [order],
    );
    expect(taken.map((row) => row.produced_at.toISOString())).toEqual([
      '2026-01-02T00:00:00.000Z',
      '2026-01-03T00:00:00.000Z',
    ]);
    const third = await inTransaction(inventory, (client) =>
      reserveUnits(client, randomUUID(), [{ product_id: bread, quantity: 1 }], shelf),
    );
    expect(third.ok).toBe(false);
  });
});

describe('payment', () => {
  it('the database refuses a second guarded charge for an order', async () => {
    const order = randomUUID();
    const insert = (guarded: boolean) =>
      payment.query(
        `INSERT INTO payments (id, order_id, customer_id, kind, amount_cents, guarded) VALUES ($1, $2, $3, 'charge', 100, $4)`,
        [randomUUID(), order, randomUUID(), guarded],
      );
    await insert(true);
    await expect(insert(true)).rejects.toMatchObject({ code: '23505' });
    await insert(false); // --without inbox: the guard is off on purpose
  });

  it('StockReserved handled twice with the guards on charges once; a cancel after capture refunds once', async () => {
    const handlers = paymentHandlers({ compensation: true, guarded: true });
    const writer = new OutboxWriter({ pool: payment, producer: 'payment', useOutbox: true, log });
    const customer = randomUUID();
    const order = randomUUID();
    await payment.query('INSERT INTO accounts (customer_id, balance_cents) VALUES ($1, 1000)', [customer]);
    const event = (type: string, body: Record<string, unknown>): IncomingEvent => ({
      id: randomUUID(),
      type,
      topic: 'x',
      key: order,
      payload: body,
      headers: {},
      partition: 0,
      offset: '0',
      occurredAt: new Date(),
    });
    const reserved = event('StockReserved', {
      order_id: order,
      customer_id: customer,
      units: [1],
      amount_cents: 300,
    });
    const context = { correlationId: order, causationId: 'test' };
    // Two different events for one order (as a duplicated upstream would produce): the state check holds.
    for (let i = 0; i < 2; i++)
      await writer.transaction(context, (tx) =>
        handlers.inventory!.StockReserved!(tx, { ...reserved, id: randomUUID() }, log),
      );
    const cancelled = event('OrderCancelled', {
      order_id: order,
      customer_id: customer,
      reason: 'cancelled_by_customer',
    });
    for (let i = 0; i < 2; i++)
      await writer.transaction(context, (tx) => handlers.orders!.OrderCancelled!(tx, cancelled, log));
    const kinds = await query<{ kind: string }>(
      pg.urls.payment,
      'SELECT kind FROM payments WHERE order_id = $1 ORDER BY created_at',
      [order],
    );
    expect(kinds.map((row) => row.kind)).toEqual(['charge', 'refund']);
    const [account] = await query<{ balance_cents: number }>(
      pg.urls.payment,
      'SELECT balance_cents FROM accounts WHERE customer_id = $1',
      [customer],
    );
    expect(account!.balance_cents).toBe(1000);
    const types = await query<{ type: string }>(
      pg.urls.payment,
      'SELECT type FROM outbox WHERE aggregateid = $1 ORDER BY seq',
      [order],
    );
    expect(types.map((row) => row.type)).toEqual(['PaymentCaptured', 'PaymentRefunded']);
  });

  it('a cancel that overtakes StockReserved: nothing is ever charged', async () => {
    const handlers = paymentHandlers({ compensation: true, guarded: true });
    const writer = new OutboxWriter({ pool: payment, producer: 'payment', useOutbox: true, log });
    const customer = randomUUID();
    const order = randomUUID();
    await payment.query('INSERT INTO accounts (customer_id, balance_cents) VALUES ($1, 1000)', [customer]);
    const base = {
      type: '',
      topic: 'x',
      key: order,
      headers: {},
      partition: 0,
      offset: '0',
      occurredAt: new Date(),
    };
    const context = { correlationId: order, causationId: 'test' };
    await writer.transaction(context, (tx) =>
      handlers.orders!.OrderCancelled!(
        tx,
        {
          ...base,
          id: randomUUID(),
          payload: { order_id: order, customer_id: customer, reason: 'cancelled_by_customer' },
        },
        log,
      ),
    );
    await writer.transaction(context, (tx) =>
      handlers.inventory!.StockReserved!(
        tx,
        {
          ...base,
          id: randomUUID(),
          payload: { order_id: order, customer_id: customer, units: [1], amount_cents: 300 },
        },
        log,
      ),
    );
    expect(await query(pg.urls.payment, 'SELECT * FROM payments WHERE order_id = $1', [order])).toEqual([]);
  });
});
