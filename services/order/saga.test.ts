import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  applyPlain,
  query,
  type ServiceDatabase,
  type TestPostgres,
  withServiceDatabase,
} from '../../test/services-support.ts';
import type { IncomingEvent } from '../kit/events.ts';
import { applyOne, type SetHandler, withFastForms } from '../kit/fast/consumer.ts';
import { createHttpServer } from '../kit/http.ts';
import { Metrics } from '../kit/metrics.ts';
import type { ServiceContext } from '../kit/service.ts';
import { fastConfirmHandlers } from './fast-confirm.ts';
import { fastOrderJournal } from './fast-journal.ts';
import { fastPlaceOrder } from './fast-place.ts';
import { orderHandlers } from './handlers.ts';
import { orderRoutes } from './routes.ts';
import { historyStatement, orderHistory, placeOrder } from './saga.ts';

const log = pino({ level: 'silent' });
let database: ServiceDatabase;
let pg: TestPostgres;
const metrics = new Metrics('order');
const plainHandlers = orderHandlers(metrics);
const fastHandlers = withFastForms(plainHandlers, fastConfirmHandlers(metrics));

withServiceDatabase(
  'order',
  { journal: fastOrderJournal.emitted, recordEmitted: orderHistory.emitted },
  (started) => {
    database = started;
    ({ pg } = started);
  },
);

/**
 * Every case runs on both forms: plain (saga.ts, handlers.ts, the per-event history; the reference
 * kit) and fast (fast-place.ts, fast-confirm.ts, fast-journal.ts; the fast kit). The same requests
 * and events give the same orders, histories and outbox rows.
 */
describe.each(['plain', 'fast'] as const)('order, %s form: placing and following the saga', (form) => {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = createHttpServer(log);
    const context = { pool: database.pool, metrics, log } as unknown as ServiceContext;
    if (form === 'plain') orderRoutes(app, { ...context, writer: database.reference }, placeOrder);
    else orderRoutes(app, { ...context, writer: database.writer }, fastPlaceOrder);
    await app.ready();
  });

  afterAll(async () => {
    await app?.close();
  });

  function deliver(
    topic: 'inventory' | 'payments' | 'shipping',
    type: string,
    body: Record<string, unknown>,
    id = randomUUID(),
  ) {
    const event: IncomingEvent = {
      id,
      type,
      topic,
      key: String(body.order_id),
      payload: body,
      headers: { producer: topic === 'payments' ? 'payment' : topic },
      partition: 0,
      offset: '0',
      occurredAt: new Date(),
    };
    // As the consumer applies it: the journal records it, then the handler moves the saga on.
    if (form === 'plain')
      return applyPlain(database.reference, plainHandlers[topic]![type]!, event, log, orderHistory.received);
    return database.writer.batch(async (open, client) => {
      await fastOrderJournal.received(client, [event], log);
      await applyOne(
        fastHandlers[topic]![type]!,
        open({ correlationId: event.key!, causationId: event.id }),
        event,
        log,
      );
    });
  }

  const customer = randomUUID();
  const line = { product_id: randomUUID(), sku: 'bread', quantity: 2, unit_price_cents: 450 };

  async function place() {
    const response = await app.inject({
      method: 'POST',
      url: '/orders',
      payload: { customer_id: customer, lines: [line, { ...line, sku: 'jam', quantity: 1 }] },
    });
    expect(response.statusCode).toBe(202);
    return response.json().order as { id: string; status: string; total_cents: number };
  }

  async function history(orderId: string) {
    const response = await app.inject({ method: 'GET', url: `/orders/${orderId}?customer_id=${customer}` });
    return response.json() as {
      order: { status: string; reason: string | null; lines: unknown[]; completed_at: string | null };
      history: Array<{ event_type: string; producer: string; payload: Record<string, unknown> }>;
    };
  }

  it('placed: row, lines, OrderPlaced in the outbox and in the history, in one transaction', async () => {
    const order = await place();
    expect(order).toMatchObject({ status: 'PENDING', total_cents: 1350 });
    const seen = await history(order.id);
    expect(seen.order.lines).toEqual([
      { product_id: line.product_id, sku: 'bread', quantity: 2, unit_price_cents: 450 },
      { product_id: line.product_id, sku: 'jam', quantity: 1, unit_price_cents: 450 },
    ]);
    expect(seen.history.map((entry) => `${entry.event_type}:${entry.producer}`)).toEqual([
      'OrderPlaced:order',
    ]);
    const [outbox] = await query<{ id: string; type: string }>(
      pg.urls.order,
      'SELECT id, type FROM outbox WHERE aggregateid = $1',
      [order.id],
    );
    const [entry] = await query<{ event_id: string }>(
      pg.urls.order,
      'SELECT event_id FROM order_history WHERE order_id = $1',
      [order.id],
    );
    expect(outbox).toEqual({ id: entry!.event_id, type: 'OrderPlaced' });
  });

  it('StockReserved then PaymentCaptured: CONFIRMED, OrderConfirmed recorded once, copies change nothing', async () => {
    const order = await place();
    const reservedId = randomUUID();
    const reserved = { order_id: order.id, customer_id: customer, units: [1, 2, 3], amount_cents: 1350 };
    await deliver('inventory', 'StockReserved', reserved, reservedId);
    await deliver('inventory', 'StockReserved', reserved, reservedId); // a copy (--without inbox)
    const captured = {
      order_id: order.id,
      customer_id: customer,
      payment_id: randomUUID(),
      amount_cents: 1350,
    };
    await deliver('payments', 'PaymentCaptured', captured);
    await deliver('payments', 'PaymentCaptured', captured); // another event, same news: the order is no longer PENDING
    const seen = await history(order.id);
    expect(seen.order.status).toBe('CONFIRMED');
    expect(seen.order.completed_at).not.toBeNull();
    expect(seen.history.map((entry) => entry.event_type)).toEqual([
      'OrderPlaced',
      'StockReserved',
      'PaymentCaptured',
      'OrderConfirmed',
      'PaymentCaptured',
    ]);
    const types = await query<{ type: string }>(
      pg.urls.order,
      'SELECT type FROM outbox WHERE aggregateid = $1 ORDER BY seq',
      [order.id],
    );
    expect(types.map((row) => row.type)).toEqual(['OrderPlaced', 'OrderConfirmed']);
  });

  it('PaymentCaptured of a batch (fast: as one set): each paid order CONFIRMED once, a copy changes nothing', async () => {
    const [one, two] = [await place(), await place()];
    const captured = (order: { id: string }) =>
      ({
        id: randomUUID(),
        type: 'PaymentCaptured',
        topic: 'payments',
        key: order.id,
        payload: { order_id: order.id, customer_id: customer, payment_id: randomUUID(), amount_cents: 1350 },
        headers: { producer: 'payment' },
        partition: 0,
        offset: '0',
        occurredAt: new Date(),
      }) satisfies IncomingEvent;
    const first = captured(one);
    const events = [first, { ...first, id: randomUUID() }, captured(two)];
    if (form === 'plain') {
      for (const event of events)
        await applyPlain(
          database.reference,
          plainHandlers.payments!.PaymentCaptured!,
          event,
          log,
          orderHistory.received,
        );
    } else {
      const handler = fastHandlers.payments!.PaymentCaptured as SetHandler;
      await database.writer.batch(async (open, client) => {
        await fastOrderJournal.received(client, events, log);
        await handler.together(
          events.map((event) => ({ tx: open({ correlationId: event.key, causationId: event.id }), event })),
          log,
        );
      });
    }
    for (const order of [one, two]) expect((await history(order.id)).order.status).toBe('CONFIRMED');
    const confirmations = await query<{ aggregateid: string; headers: Record<string, string> }>(
      pg.urls.order,
      `SELECT aggregateid, headers FROM outbox WHERE type = 'OrderConfirmed' AND aggregateid = ANY($1)`,
      [[one.id, two.id]],
    );
    expect(confirmations.map((row) => row.aggregateid).sort()).toEqual([one.id, two.id].sort());
    expect(confirmations.find((row) => row.aggregateid === one.id)!.headers['causation-id']).toBe(first.id);
  });

  it('PaymentDeclined: CANCELLED with its reason; a customer cancel afterwards is refused', async () => {
    const order = await place();
    await deliver('payments', 'PaymentDeclined', {
      order_id: order.id,
      customer_id: customer,
      amount_cents: 1350,
      reason: 'insufficient_funds',
    });
    const seen = await history(order.id);
    expect(seen.order).toMatchObject({ status: 'CANCELLED', reason: 'insufficient_funds' });
    expect(seen.history.at(-1)).toMatchObject({
      event_type: 'OrderCancelled',
      producer: 'order',
      payload: { order_id: order.id, customer_id: customer, reason: 'insufficient_funds' },
    });
    const refused = await app.inject({
      method: 'POST',
      url: `/orders/${order.id}/cancel`,
      payload: { customer_id: customer },
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().error.code).toBe('E_ORDER_FINISHED');
  });

  it('a customer cancel while PENDING; an event for an unknown order is ignored', async () => {
    const order = await place();
    const cancelled = await app.inject({
      method: 'POST',
      url: `/orders/${order.id}/cancel`,
      payload: { customer_id: customer },
    });
    expect(cancelled.statusCode).toBe(202);
    const seen = await history(order.id);
    expect(seen.order).toMatchObject({ status: 'CANCELLED', reason: 'cancelled_by_customer' });
    expect(seen.history.map((entry) => entry.event_type)).toEqual(['OrderPlaced', 'OrderCancelled']);

    const stranger = randomUUID();
    await deliver('shipping', 'ShipmentScheduled', {
      order_id: stranger,
      customer_id: customer,
      shipment_id: randomUUID(),
    });
    expect(await query(pg.urls.order, 'SELECT 1 FROM order_history WHERE order_id = $1', [stranger])).toEqual(
      [],
    );
  });
});

describe('the history statement', () => {
  it("looks each entry's order up by primary key, even for a batch against a table not yet analyzed", async () => {
    // The planner sizes a table it has not analyzed from its pages; against 2000 orders, a batch of
    // 80 entries planned as `id = ANY (...)` was a scan of the whole table.
    const client = await database.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows: orders } = await client.query<{ id: string }>(
        `INSERT INTO orders (id, customer_id, status, total_cents)
         SELECT gen_random_uuid(), gen_random_uuid(), 'PENDING', 100 FROM generate_series(1, 2000) RETURNING id`,
      );
      const { text, values } = historyStatement(
        orders.slice(0, 80).map(({ id }) => ({
          orderId: id,
          eventId: randomUUID(),
          type: 'StockReserved',
          topic: 'inventory',
          producer: 'inventory',
          occurredAt: new Date(),
          payload: {},
        })),
      );
      const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${text}`, values);
      const plan = rows.map((row) => row['QUERY PLAN']).join('\n');
      expect(plan).toContain('orders_pkey');
      expect(plan).not.toContain('Seq Scan on orders');
    } finally {
      await client.query('ROLLBACK');
      client.release();
    }
  });
});
