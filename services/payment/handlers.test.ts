import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  query,
  type ServiceDatabase,
  startServiceDatabase,
  type TestPostgres,
} from '../../test/services-support.ts';
import type { Pool } from '../kit/db.ts';
import type { IncomingEvent } from '../kit/events.ts';
import type { EventWriter } from '../kit/outbox.ts';
import { paymentHandlers } from './handlers.ts';

const log = pino({ level: 'silent' });
let database: ServiceDatabase;
let pg: TestPostgres;
let pool: Pool;
let writer: EventWriter;

beforeAll(async () => {
  database = await startServiceDatabase('payment');
  ({ pg, pool, writer } = database);
});

afterAll(async () => {
  await database?.stop();
});

function deliver(
  guarded: boolean,
  topic: 'inventory' | 'orders',
  type: string,
  body: Record<string, unknown>,
) {
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
  const handler = paymentHandlers({ compensation: true, guarded })[topic]![type]!;
  return writer.transaction({ correlationId: event.key!, causationId: event.id }, (tx) =>
    handler(tx, event, log),
  );
}

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

describe('payment handlers (one statement per effect)', () => {
  it('insufficient funds: declined with its reason, nothing charged, PaymentDeclined', async () => {
    const who = await customer(299);
    const order = randomUUID();
    await deliver(true, 'inventory', 'StockReserved', {
      order_id: order,
      customer_id: who,
      units: [1],
      amount_cents: 300,
    });
    const { balance, order: row, payments, events } = await state(who, order);
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
    const who = await customer(1000);
    const order = randomUUID();
    await deliver(true, 'inventory', 'StockReserved', {
      order_id: order,
      customer_id: who,
      units: [1],
      amount_cents: 1000,
    });
    const { balance, order: row, payments, events } = await state(who, order);
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
});
