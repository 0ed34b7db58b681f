import { randomUUID } from 'node:crypto';
import pgLib from 'pg';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabClock } from '../../common/clock.ts';
import {
  applyCountingStatements,
  query,
  type ServiceDatabase,
  startServiceDatabase,
  type TestPostgres,
  waitFor,
} from '../../test/services-support.ts';
import type { PoolClient } from '../kit/db.ts';
import type { IncomingEvent } from '../kit/events.ts';
import { withFastForms } from '../kit/fast/consumer.ts';
import type { FastEventWriter } from '../kit/fast/outbox.ts';
import type { OutboxWriter } from '../kit/outbox.ts';
import { fastConsumeHandlers } from './fast-consume.ts';
import { fastReserveHandlers } from './fast-reserve.ts';
import { inventoryHandlers } from './handlers.ts';
import { reserveUnits, type ShelfRule } from './reserve.ts';

const log = pino({ level: 'silent' });
let database: ServiceDatabase;
let pg: TestPostgres;
let writer: FastEventWriter;
let reference: OutboxWriter;
const shelf: ShelfRule = { clock: LabClock.real(), staleGuard: true };
const plain = inventoryHandlers({ compensation: true, shelf }).orders!;
const fast = withFastForms(
  { orders: plain },
  { orders: { ...fastReserveHandlers(shelf).orders, ...fastConsumeHandlers(shelf.clock).orders } },
).orders!;

beforeAll(async () => {
  database = await startServiceDatabase('inventory', { maxConnections: 30 });
  ({ pg, writer, reference } = database);
});

afterAll(async () => {
  await database?.stop();
});

/**
 * Runs `statements` in another transaction, starts `handle` and commits that transaction only once
 * the handler waits for one of its locks: the handler's statement began before the commit.
 */
async function committedWhileWaiting<T>(
  statements: Array<[string, unknown[]]>,
  handle: () => Promise<T>,
): Promise<T> {
  const other = new pgLib.Client({ connectionString: pg.urls.inventory });
  await other.connect();
  try {
    await other.query('BEGIN');
    for (const [text, params] of statements) await other.query(text, params);
    const handled = handle();
    handled.catch(() => {}); // awaited below; a failure must not go unhandled meanwhile
    await waitFor('the handler to wait for a lock', async () => {
      const { rows } = await other.query('SELECT 1 FROM pg_locks WHERE NOT granted');
      return rows.length > 0;
    });
    await other.query('COMMIT');
    return await handled;
  } finally {
    await other.end();
  }
}

async function addUnits(productId: string, units: number, producedAt: string) {
  const rows = await query<{ id: number }>(
    pg.urls.inventory,
    `INSERT INTO stock_units (product_id, produced_at) SELECT $1, $3 FROM generate_series(1, $2) RETURNING id`,
    [productId, units, producedAt],
  );
  return rows.map((row) => Number(row.id));
}

async function events(orderId: string) {
  return query<{ type: string; payload: Record<string, unknown> }>(
    pg.urls.inventory,
    'SELECT type, payload FROM outbox WHERE aggregateid = $1 ORDER BY seq',
    [orderId],
  );
}

async function reservation(orderId: string) {
  const [row] = await query<{ status: string; reason: string | null }>(
    pg.urls.inventory,
    'SELECT status, reason FROM reservations WHERE order_id = $1',
    [orderId],
  );
  return row;
}

async function unitStatus(ids: number[]) {
  const rows = await query<{ status: string; order_id: string | null }>(
    pg.urls.inventory,
    'SELECT status, order_id FROM stock_units WHERE id = ANY($1::bigint[]) ORDER BY id',
    [ids],
  );
  return rows.map((row) => `${row.status}:${row.order_id ?? '-'}`);
}

const placed = (orderId: string, lines: Array<{ product_id: string; quantity: number }>) => ({
  order_id: orderId,
  customer_id: randomUUID(),
  lines: lines.map((line) => ({ ...line, sku: 'x', unit_price_cents: 100 })),
  total_cents: 100,
});

/**
 * Every case runs on both forms of the handlers: plain (handlers.ts, the reference kit) and fast
 * (fast-reserve.ts and fast-consume.ts in place, the fast kit). The same inputs give the same rows
 * and events; only the number of statements differs (`statements(fast, plain)`).
 */
describe.each(['plain', 'fast'] as const)('inventory handlers, %s form', (form) => {
  const statements = (fast: number, plain: number) => (form === 'fast' ? fast : plain);
  /** Delivers one event in its own transaction; answers how many statements the handler ran. */
  function deliver(type: string, body: Record<string, unknown>): Promise<number> {
    const event: IncomingEvent = {
      id: randomUUID(),
      type,
      topic: 'orders',
      key: String(body.order_id),
      payload: body,
      headers: {},
      partition: 0,
      offset: '0',
      occurredAt: new Date(),
    };
    const handlers = form === 'plain' ? plain : fast;
    return applyCountingStatements(form === 'plain' ? reference : writer, handlers[type]!, event, log);
  }

  it('several products: reserved oldest first in product order, then sold on OrderConfirmed', async () => {
    const [a, b] = [randomUUID(), randomUUID()].sort((x, y) => x.localeCompare(y)) as [string, string];
    const newerA = await addUnits(a, 2, '2026-01-02T00:00:00Z');
    const olderA = await addUnits(a, 1, '2026-01-01T00:00:00Z');
    const unitsB = await addUnits(b, 2, '2026-01-01T00:00:00Z');
    const order = randomUUID();
    // b listed first and a twice: quantities add up, products are taken in a fixed order.
    await deliver(
      'OrderPlaced',
      placed(order, [
        { product_id: b, quantity: 1 },
        { product_id: a, quantity: 1 },
        { product_id: a, quantity: 1 },
      ]),
    );
    expect(await reservation(order)).toEqual({ status: 'reserved', reason: null });
    const [reserved] = await events(order);
    expect(reserved!.type).toBe('StockReserved');
    expect(reserved!.payload.units).toEqual([olderA[0], newerA[0], unitsB[0]]);
    expect(await unitStatus([...olderA, ...newerA, ...unitsB])).toEqual([
      `reserved:${order}`,
      `available:-`,
      `reserved:${order}`,
      `reserved:${order}`,
      `available:-`,
    ]);
    expect(
      await deliver('OrderConfirmed', { order_id: order, customer_id: randomUUID(), total_cents: 100 }),
    ).toBe(statements(1, 2));
    expect(await reservation(order)).toEqual({ status: 'consumed', reason: null });
    const consumed = (await events(order))[1]!;
    expect(consumed.type).toBe('StockConsumed');
    expect(consumed.payload.units).toEqual([newerA[0], olderA[0], unitsB[0]].sort((x, y) => x! - y!));
    expect(await unitStatus([newerA[0]!, olderA[0]!, unitsB[0]!])).toEqual(Array(3).fill(`sold:${order}`));
    // A second OrderConfirmed (a copy with another id) changes nothing.
    await deliver('OrderConfirmed', { order_id: order, customer_id: randomUUID(), total_cents: 100 });
    expect(await events(order)).toHaveLength(2);
  });

  it('one product short: StockRejected naming it, nothing reserved, the reservation rejected', async () => {
    const [a, b] = [randomUUID(), randomUUID()].sort((x, y) => x.localeCompare(y)) as [string, string];
    const unitsA = await addUnits(a, 3, '2026-01-01T00:00:00Z');
    const unitsB = await addUnits(b, 1, '2026-01-01T00:00:00Z');
    const order = randomUUID();
    await deliver(
      'OrderPlaced',
      placed(order, [
        { product_id: a, quantity: 2 },
        { product_id: b, quantity: 2 },
      ]),
    );
    expect(await reservation(order)).toEqual({ status: 'rejected', reason: 'insufficient_stock' });
    const [rejected] = await events(order);
    expect(rejected).toMatchObject({
      type: 'StockRejected',
      payload: { reason: 'insufficient_stock', product_id: b },
    });
    expect(await unitStatus([...unitsA, ...unitsB])).toEqual(Array(4).fill('available:-'));
  });

  it('a cancel releases the units with its reason; a cancel before the order leaves a tombstone', async () => {
    const product = randomUUID();
    const units = await addUnits(product, 2, '2026-01-01T00:00:00Z');
    const order = randomUUID();
    await deliver('OrderPlaced', placed(order, [{ product_id: product, quantity: 2 }]));
    await deliver('OrderCancelled', {
      order_id: order,
      customer_id: randomUUID(),
      reason: 'insufficient_funds',
    });
    expect(await reservation(order)).toEqual({ status: 'released', reason: 'insufficient_funds' });
    const released = (await events(order))[1]!;
    expect(released).toMatchObject({ type: 'StockReleased', payload: { units } });
    expect(await unitStatus(units)).toEqual(['available:-', 'available:-']);

    const late = randomUUID();
    await deliver('OrderCancelled', {
      order_id: late,
      customer_id: randomUUID(),
      reason: 'cancelled_by_customer',
    });
    expect(await reservation(late)).toEqual({ status: 'cancelled', reason: 'cancelled_by_customer' });
    await deliver('OrderPlaced', placed(late, [{ product_id: product, quantity: 1 }]));
    expect(await reservation(late)).toEqual({ status: 'rejected', reason: 'order_cancelled' });
    expect(await events(late)).toEqual([]);
    expect(await unitStatus(units)).toEqual(['available:-', 'available:-']);
  });

  it('a copy of OrderPlaced changes nothing; an order first seen through another event still reserves', async () => {
    const product = randomUUID();
    const units = await addUnits(product, 3, '2026-01-01T00:00:00Z');
    const order = randomUUID();
    const body = placed(order, [{ product_id: product, quantity: 1 }]);
    await deliver('OrderPlaced', body);
    await deliver('OrderPlaced', body); // another event id: the inbox cannot tell, the reservation row can
    expect((await events(order)).map((event) => event.type)).toEqual(['StockReserved']);
    expect(await unitStatus(units)).toEqual([`reserved:${order}`, 'available:-', 'available:-']);

    // A row left 'pending' (an event about the order came before OrderPlaced): the order still reserves.
    const early = randomUUID();
    await deliver('OrderConfirmed', { order_id: early, customer_id: randomUUID(), total_cents: 100 });
    expect(await reservation(early)).toEqual({ status: 'pending', reason: null });
    await deliver('OrderPlaced', placed(early, [{ product_id: product, quantity: 1 }]));
    expect(await reservation(early)).toEqual({ status: 'reserved', reason: null });
    expect(await events(early)).toMatchObject([{ type: 'StockReserved', payload: { units: [units[1]] } }]);
  });

  it('OrderConfirmed of an order not reserved changes nothing; of an unknown one leaves it pending', async () => {
    const product = randomUUID();
    const units = await addUnits(product, 1, '2026-01-01T00:00:00Z');
    const confirm = (orderId: string) =>
      deliver('OrderConfirmed', { order_id: orderId, customer_id: randomUUID(), total_cents: 100 });

    const released = randomUUID();
    await deliver('OrderPlaced', placed(released, [{ product_id: product, quantity: 1 }]));
    await deliver('OrderCancelled', { order_id: released, customer_id: randomUUID(), reason: 'x' });
    expect(await confirm(released)).toBe(1);
    expect(await reservation(released)).toEqual({ status: 'released', reason: 'x' });
    expect(await unitStatus(units)).toEqual(['available:-']);

    const rejected = randomUUID();
    await deliver('OrderPlaced', placed(rejected, [{ product_id: product, quantity: 2 }]));
    expect(await confirm(rejected)).toBe(1);
    expect(await reservation(rejected)).toEqual({ status: 'rejected', reason: 'insufficient_stock' });

    // No row: the upsert creates it pending, so a later OrderPlaced still reserves.
    const unknown = randomUUID();
    expect(await confirm(unknown)).toBe(statements(2, 1));
    expect(await confirm(unknown)).toBe(1);
    expect(await reservation(unknown)).toEqual({ status: 'pending', reason: null });
    for (const orderId of [released, rejected, unknown])
      expect((await events(orderId)).filter((event) => event.type === 'StockConsumed')).toEqual([]);
    expect(await unitStatus(units)).toEqual(['available:-']);
  });

  it('OrderConfirmed racing the commit that reserves or releases: units sold exactly when reserved', async () => {
    const product = randomUUID();
    const confirm = (orderId: string) => () =>
      deliver('OrderConfirmed', { order_id: orderId, customer_id: randomUUID(), total_cents: 100 });
    const reserve = (orderId: string, ids: number[]): Array<[string, unknown[]]> => [
      [
        `UPDATE stock_units SET status = 'reserved', order_id = $1, reserved_at = now() WHERE id = ANY($2::bigint[])`,
        [orderId, ids],
      ],
    ];

    // A pending row becomes reserved after the first statement's snapshot: sold by the second.
    const late = randomUUID();
    const lateUnits = await addUnits(product, 2, '2026-01-01T00:00:00Z');
    await query(pg.urls.inventory, `INSERT INTO reservations (order_id, status) VALUES ($1, 'pending')`, [
      late,
    ]);
    const lateStatements = await committedWhileWaiting(
      [
        [`UPDATE reservations SET status = 'reserved' WHERE order_id = $1`, [late]],
        ...reserve(late, lateUnits),
      ],
      confirm(late),
    );
    expect(lateStatements).toBe(statements(2, 2));

    // The row itself is inserted after the snapshot: the upsert waits for it, then it is sold.
    const unseen = randomUUID();
    const unseenUnits = await addUnits(product, 1, '2026-01-01T00:00:00Z');
    const unseenStatements = await committedWhileWaiting(
      [
        [`INSERT INTO reservations (order_id, status) VALUES ($1, 'reserved')`, [unseen]],
        ...reserve(unseen, unseenUnits),
      ],
      confirm(unseen),
    );
    expect(unseenStatements).toBe(statements(3, 2));

    // A reserved row only re-locked meanwhile (a newer version, same status): fast, one statement.
    const relocked = randomUUID();
    const relockedUnits = await addUnits(product, 1, '2026-01-01T00:00:00Z');
    await deliver('OrderPlaced', placed(relocked, [{ product_id: product, quantity: 1 }]));
    expect(await unitStatus(relockedUnits)).toEqual([`reserved:${relocked}`]);
    expect(
      await committedWhileWaiting(
        [[`UPDATE reservations SET status = status WHERE order_id = $1`, [relocked]]],
        confirm(relocked),
      ),
    ).toBe(statements(1, 2));

    for (const [orderId, units] of [
      [late, lateUnits],
      [unseen, unseenUnits],
      [relocked, relockedUnits],
    ] as const) {
      expect(await reservation(orderId)).toEqual({ status: 'consumed', reason: null });
      expect(await unitStatus(units)).toEqual(units.map(() => `sold:${orderId}`));
      const consumed = (await events(orderId)).filter((event) => event.type === 'StockConsumed');
      expect(consumed.map((event) => event.payload.units)).toEqual([units]);
    }

    // Released after the snapshot, which still shows it reserved with its units: nothing is sold.
    const released = randomUUID();
    const releasedUnits = await addUnits(product, 1, '2026-01-01T00:00:00Z');
    await deliver('OrderPlaced', placed(released, [{ product_id: product, quantity: 1 }]));
    expect(await unitStatus(releasedUnits)).toEqual([`reserved:${released}`]);
    expect(
      await committedWhileWaiting(
        [
          [`UPDATE reservations SET status = 'released', reason = 'x' WHERE order_id = $1`, [released]],
          [
            `UPDATE stock_units SET status = 'available', order_id = NULL, released_at = now() WHERE order_id = $1`,
            [released],
          ],
        ],
        confirm(released),
      ),
    ).toBe(1);
    expect(await reservation(released)).toEqual({ status: 'released', reason: 'x' });
    expect(await unitStatus(releasedUnits)).toEqual(['available:-']);
    expect((await events(released)).map((event) => event.type)).toEqual(['StockReserved']);
  });

  it('60 orders of two products racing for 50 units of each: all or nothing, never a unit twice', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    await addUnits(a, 50, '2026-01-01T00:00:00Z');
    await addUnits(b, 50, '2026-01-01T00:00:00Z');
    const orders = Array.from({ length: 60 }, () => randomUUID());
    await Promise.all(
      orders.map((order, i) =>
        deliver(
          'OrderPlaced',
          // Half list the products the other way round.
          placed(
            order,
            i % 2
              ? [
                  { product_id: a, quantity: 1 },
                  { product_id: b, quantity: 1 },
                ]
              : [
                  { product_id: b, quantity: 1 },
                  { product_id: a, quantity: 1 },
                ],
          ),
        ),
      ),
    );
    // SKIP LOCKED can reject an order while a unit is only locked by an order that turns out short,
    // so the exact number reserved may fall below 50; what must hold is all-or-nothing.
    const rows = await query<{ status: string; n: number }>(
      pg.urls.inventory,
      'SELECT status, count(*)::int AS n FROM reservations WHERE order_id = ANY($1::uuid[]) GROUP BY status',
      [orders],
    );
    const outcomes: Record<string, number> = Object.fromEntries(rows.map((row) => [row.status, row.n]));
    const reserved = outcomes.reserved ?? 0;
    expect(Object.keys(outcomes).sort()).toEqual(['rejected', 'reserved']);
    expect(reserved + (outcomes.rejected ?? 0)).toBe(60);
    expect(reserved).toBeLessThanOrEqual(50);
    const held = await query<{ order_id: string; products: number; units: number }>(
      pg.urls.inventory,
      `SELECT order_id, count(DISTINCT product_id)::int AS products, count(*)::int AS units FROM stock_units
       WHERE order_id = ANY($1::uuid[]) GROUP BY order_id`,
      [orders],
    );
    expect(held).toHaveLength(reserved);
    expect(held.every((row) => row.products === 2 && row.units === 2)).toBe(true);
  });
});

describe('reserveUnits while another reservation holds the units', () => {
  it('units locked by a reservation that lets them go are not a shortage', async () => {
    const productId = randomUUID();
    await addUnits(productId, 1, '2026-01-01T00:00:00Z');
    const locker = new pgLib.Client({ connectionString: pg.urls.inventory });
    const client = new pgLib.Client({ connectionString: pg.urls.inventory });
    await Promise.all([locker.connect(), client.connect()]);
    try {
      // An order wanting more than there is: it locks every unit, then rolls back.
      await locker.query('BEGIN');
      await locker.query('SELECT id FROM stock_units WHERE product_id = $1 FOR UPDATE', [productId]);
      const reserving = reserveUnits(
        client as unknown as PoolClient,
        randomUUID(),
        [{ product_id: productId, quantity: 1 }],
        shelf,
      );
      await new Promise((resolve) => setTimeout(resolve, 30));
      await locker.query('ROLLBACK');
      expect(await reserving).toMatchObject({ ok: true, units: [expect.any(Number)] });
    } finally {
      await Promise.all([locker.end(), client.end()]);
    }
  });

  it('a real shortage is rejected without waiting', async () => {
    const productId = randomUUID();
    const client = new pgLib.Client({ connectionString: pg.urls.inventory });
    await client.connect();
    try {
      const started = Date.now();
      const reservation = await reserveUnits(
        client as unknown as PoolClient,
        randomUUID(),
        [{ product_id: productId, quantity: 1 }],
        shelf,
      );
      expect(reservation).toEqual({ ok: false, productId });
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await client.end();
    }
  });
});
