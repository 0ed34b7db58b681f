import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import {
  applyCountingStatements,
  committedWhileWaiting,
  query,
  type TestPostgres,
  withServiceDatabase,
} from '../../test/services-support.ts';
import type { Pool } from '../kit/db.ts';
import type { IncomingEvent } from '../kit/events.ts';
import { withFastForms } from '../kit/fast/consumer.ts';
import type { FastEventWriter } from '../kit/fast/outbox.ts';
import type { OutboxWriter } from '../kit/outbox.ts';
import { fastPaymentHandlers } from './fast-charge.ts';
import { paymentHandlers } from './handlers.ts';

const log = pino({ level: 'silent' });
let pg: TestPostgres;
let pool: Pool;
let writer: FastEventWriter;
let reference: OutboxWriter;

withServiceDatabase('payment', { maxConnections: 30 }, (started) => {
  ({ pg, pool, writer, reference } = started);
});

const stockReserved = (orderId: string, customerId: string, amountCents: number) => ({
  order_id: orderId,
  customer_id: customerId,
  units: [1],
  amount_cents: amountCents,
});

async function customer(balanceCents: number): Promise<string> {
  const id = randomUUID();
  await pool.query('INSERT INTO accounts (customer_id, balance_cents) VALUES ($1, $2)', [id, balanceCents]);
  return id;
}

async function state(customerId: string, orderId: string) {
  const [account] = await query<{ balance_cents: number }>(
    pg.urls.payment,
    'SELECT balance_cents FROM accounts WHERE customer_id = $1',
    [customerId],
  );
  const [order] = await query<{ status: string; reason: string | null }>(
    pg.urls.payment,
    'SELECT status, reason FROM payment_orders WHERE order_id = $1',
    [orderId],
  );
  const payments = await query<{ id: string; kind: string; amount_cents: number; guarded: boolean }>(
    pg.urls.payment,
    'SELECT id, kind, amount_cents, guarded FROM payments WHERE order_id = $1 ORDER BY kind, id',
    [orderId],
  );
  const events = await query<{ type: string; payload: Record<string, unknown> }>(
    pg.urls.payment,
    'SELECT type, payload FROM outbox WHERE aggregateid = $1 ORDER BY seq',
    [orderId],
  );
  return { balance: Number(account!.balance_cents), order, payments, events };
}

/** The order was cancelled before any charge: the balance untouched, no payment, no event. */
async function expectCancelledUncharged(customerId: string, orderId: string, balance: number) {
  expect(await state(customerId, orderId)).toEqual({
    balance,
    order: { status: 'cancelled', reason: 'cancelled_by_customer' },
    payments: [],
    events: [],
  });
}

/**
 * Every case runs on both forms of the handlers: plain (handlers.ts, the reference kit) and fast
 * (fast-charge.ts in place, the fast kit). The same inputs give the same rows and events; only
 * the number of statements differs (`statements(fast, plain)`).
 */
describe.each(['plain', 'fast'] as const)('payment handlers, %s form', (form) => {
  const statements = (fast: number, plain: number) => (form === 'fast' ? fast : plain);
  /** Delivers one event in its own transaction; answers how many statements the handler ran. */
  function deliver(
    guarded: boolean,
    topic: 'inventory' | 'orders',
    type: string,
    body: Record<string, unknown>,
  ): Promise<number> {
    const event: IncomingEvent = {
      id: randomUUID(),
      type,
      topic,
      key: String(body.order_id),
      payload: body,
      headers: {},
      partition: 0,
      offset: '0',
      occurredAt: new Date(),
    };
    const options = { compensation: true, guarded };
    const plain = paymentHandlers(options);
    const handlers = form === 'plain' ? plain : withFastForms(plain, fastPaymentHandlers(options));
    return applyCountingStatements(
      form === 'plain' ? reference : writer,
      handlers[topic]![type]!,
      event,
      log,
    );
  }

  /** A customer holding `balanceCents` whose order of `amountCents` is charged through the guards. */
  async function guardedCharge(balanceCents: number, amountCents: number) {
    const who = await customer(balanceCents);
    const order = randomUUID();
    expect(await deliver(true, 'inventory', 'StockReserved', stockReserved(order, who, amountCents))).toBe(
      statements(1, 2),
    );
    const { order: row, ...rows } = await state(who, order);
    return { who, order, row, ...rows };
  }

  it('insufficient funds: declined with its reason, nothing charged, PaymentDeclined', async () => {
    const { who, order, balance, row, payments, events } = await guardedCharge(299, 300);
    expect(balance).toBe(299);
    expect(row).toEqual({ status: 'declined', reason: 'insufficient_funds' });
    expect(payments).toEqual([]);
    expect(events).toEqual([
      {
        type: 'PaymentDeclined',
        payload: { order_id: order, customer_id: who, amount_cents: 300, reason: 'insufficient_funds' },
      },
    ]);
  });

  it('a capture: the charge row carries the id of PaymentCaptured, the balance is debited', async () => {
    const { balance, row, payments, events } = await guardedCharge(1000, 1000);
    expect(balance).toBe(0);
    expect(row).toEqual({ status: 'captured', reason: null });
    expect(payments).toEqual([
      { id: events[0]!.payload.payment_id, kind: 'charge', amount_cents: 1000, guarded: true },
    ]);
    expect(events[0]!.type).toBe('PaymentCaptured');
  });

  it('--without inbox: every copy charges, and a cancel refunds each charge with its own event', async () => {
    const who = await customer(1000);
    const order = randomUUID();
    const reserved = { order_id: order, customer_id: who, units: [1], amount_cents: 300 };
    for (let copy = 0; copy < 3; copy++) await deliver(false, 'inventory', 'StockReserved', reserved);
    expect((await state(who, order)).balance).toBe(100);
    await deliver(false, 'orders', 'OrderCancelled', {
      order_id: order,
      customer_id: who,
      reason: 'cancelled_by_customer',
    });
    const { balance, order: row, payments, events } = await state(who, order);
    expect(balance).toBe(1000);
    expect(row).toEqual({ status: 'refunded', reason: 'cancelled_by_customer' });
    expect(payments.map((payment) => `${payment.kind}:${payment.amount_cents}:${payment.guarded}`)).toEqual([
      'charge:300:false',
      'charge:300:false',
      'charge:300:false',
      'refund:300:false',
      'refund:300:false',
      'refund:300:false',
    ]);
    const refunds = events.filter((event) => event.type === 'PaymentRefunded');
    expect(refunds.map((event) => event.payload.payment_id).sort()).toEqual(
      payments.filter((payment) => payment.kind === 'refund').map((payment) => payment.id),
    );
    expect(events.filter((event) => event.type === 'PaymentCaptured')).toHaveLength(3);
  });

  it('a copy of StockReserved: guarded, nothing more; unguarded, charged again', async () => {
    for (const guarded of [true, false]) {
      const who = await customer(1000);
      const order = randomUUID();
      expect(await deliver(guarded, 'inventory', 'StockReserved', stockReserved(order, who, 400))).toBe(
        statements(1, 2),
      );
      // The row exists: (fast: the claim inserts nothing, then) the lock and (unguarded only) the charge.
      expect(await deliver(guarded, 'inventory', 'StockReserved', stockReserved(order, who, 400))).toBe(
        statements(guarded ? 2 : 3, guarded ? 1 : 2),
      );
      const { balance, order: row, payments, events } = await state(who, order);
      expect(balance).toBe(guarded ? 600 : 200);
      expect(row).toEqual({ status: 'captured', reason: null });
      expect(payments.map((payment) => `${payment.kind}:${payment.guarded}`)).toEqual(
        guarded ? ['charge:true'] : ['charge:false', 'charge:false'],
      );
      expect(events.map((event) => event.type)).toEqual(
        guarded ? ['PaymentCaptured'] : ['PaymentCaptured', 'PaymentCaptured'],
      );
    }
  });

  it('StockReserved after OrderCancelled never charges, guarded or not', async () => {
    for (const guarded of [true, false]) {
      const who = await customer(1000);
      const order = randomUUID();
      await deliver(guarded, 'orders', 'OrderCancelled', {
        order_id: order,
        customer_id: who,
        reason: 'cancelled_by_customer',
      });
      expect(await deliver(guarded, 'inventory', 'StockReserved', stockReserved(order, who, 400))).toBe(
        statements(2, 1),
      );
      await expectCancelledUncharged(who, order, 1000);
    }
  });

  it('a cancel committed while StockReserved waits for it: not charged', async () => {
    const who = await customer(1000);
    const order = randomUUID();
    // The handler's snapshot has no row: it locks the account, then its insert waits for this one
    // (fast: the claim's insert; plain: the lock's upsert).
    const handled = await committedWhileWaiting(
      pg.urls.payment,
      [
        [
          `INSERT INTO payment_orders (order_id, status, reason) VALUES ($1, 'cancelled', 'cancelled_by_customer')`,
          [order],
        ],
      ],
      () => deliver(true, 'inventory', 'StockReserved', stockReserved(order, who, 400)),
    );
    expect(handled).toBe(statements(2, 1));
    await expectCancelledUncharged(who, order, 1000);
  });

  it('concurrent transactions: 20 orders of one customer covering 7, copies of one order, cancels', async () => {
    const who = await customer(7 * 300 + 299);
    const orders = Array.from({ length: 20 }, () => randomUUID());
    await Promise.all(
      orders.map((order) => deliver(true, 'inventory', 'StockReserved', stockReserved(order, who, 300))),
    );
    const outcomes = await query<{ status: string; n: number }>(
      pg.urls.payment,
      'SELECT status, count(*)::int AS n FROM payment_orders WHERE order_id = ANY($1::uuid[]) GROUP BY status ORDER BY status',
      [orders],
    );
    expect(outcomes).toEqual([
      { status: 'captured', n: 7 },
      { status: 'declined', n: 13 },
    ]);
    const charges = await query<{ n: number }>(
      pg.urls.payment,
      `SELECT count(*)::int AS n FROM payments WHERE order_id = ANY($1::uuid[]) AND kind = 'charge'`,
      [orders],
    );
    expect(charges).toEqual([{ n: 7 }]);
    expect((await state(who, orders[0]!)).balance).toBe(299);

    // Copies of one order at once: one charge, guarded; one charge per copy, unguarded. Twenty rounds,
    // because a wrong lock order between the copies deadlocks only now and then.
    const rounds = Array.from({ length: 20 }, (_, round) => [round % 2 === 0, 5] as const);
    for (const [guarded, copies] of rounds) {
      const rich = await customer(10_000);
      const order = randomUUID();
      await Promise.all(
        Array.from({ length: copies }, () =>
          deliver(guarded, 'inventory', 'StockReserved', stockReserved(order, rich, 1000)),
        ),
      );
      const { balance, payments } = await state(rich, order);
      expect(payments).toHaveLength(guarded ? 1 : copies);
      expect(balance).toBe(10_000 - payments.length * 1000);
    }

    // StockReserved and OrderCancelled of each order at once: never charged, or charged and refunded.
    const both = await customer(10_000);
    const cancelled = Array.from({ length: 10 }, () => randomUUID());
    await Promise.all(
      cancelled.flatMap((order) => [
        deliver(true, 'inventory', 'StockReserved', stockReserved(order, both, 500)),
        deliver(true, 'orders', 'OrderCancelled', { order_id: order, customer_id: both, reason: 'x' }),
      ]),
    );
    for (const order of cancelled) {
      const { order: row, payments } = await state(both, order);
      expect([
        ['cancelled', ''],
        ['refunded', 'charge,refund'],
      ]).toContainEqual([row!.status, payments.map((payment) => payment.kind).join(',')]);
    }
    expect((await state(both, cancelled[0]!)).balance).toBe(10_000);
  });
});
