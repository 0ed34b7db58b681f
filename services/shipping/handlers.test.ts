import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query, type ServiceDatabase, startServiceDatabase } from '../../test/services-support.ts';
import type { SetHandler, Unit } from '../kit/consumer.ts';
import type { IncomingEvent } from '../kit/events.ts';
import { shippingHandlers } from './handlers.ts';

const log = pino({ level: 'silent' });
let database: ServiceDatabase;

beforeAll(async () => {
  database = await startServiceDatabase('shipping');
});

afterAll(async () => {
  await database?.stop();
});

function confirmed(orderId: string, customerId: string): IncomingEvent {
  return {
    id: randomUUID(),
    type: 'OrderConfirmed',
    topic: 'orders',
    key: orderId,
    payload: { order_id: orderId, customer_id: customerId, total_cents: 100 },
    headers: {},
    partition: 0,
    offset: '0',
    occurredAt: new Date(),
  };
}

/** Applies `events` as one set, in one transaction, each with its own unit of work. */
function applyTogether(events: IncomingEvent[]): Promise<void> {
  const handler = shippingHandlers().orders!.OrderConfirmed as SetHandler;
  return database.writer.batch(async (open) => {
    const units: Unit[] = events.map((event) => ({
      tx: open({ correlationId: event.key!, causationId: event.id }),
      event,
    }));
    await handler.together(units, log);
  });
}

describe('shipping: a batch of confirmed orders', () => {
  it('one shipment and one ShipmentScheduled per order, copies in the same batch or later included', async () => {
    const customer = randomUUID();
    const [a, b] = [randomUUID(), randomUUID()];
    const first = confirmed(a, customer);
    // A copy of a's event (--without inbox delivers copies) in the same batch, and b.
    await applyTogether([first, { ...first, id: randomUUID() }, confirmed(b, customer)]);
    await applyTogether([confirmed(a, customer)]); // news of a again, in a later batch
    const shipments = await query<{ order_id: string }>(
      database.url,
      'SELECT order_id FROM shipments ORDER BY order_id',
    );
    expect(shipments.map((row) => row.order_id)).toEqual([a, b].sort());
    const events = await query<{ aggregateid: string; headers: Record<string, string> }>(
      database.url,
      `SELECT aggregateid, headers FROM outbox WHERE type = 'ShipmentScheduled'`,
    );
    expect(events.map((row) => row.aggregateid).sort()).toEqual([a, b].sort());
    // a's event was caused by the first of its copies, the one that scheduled it.
    expect(events.find((row) => row.aggregateid === a)!.headers['causation-id']).toBe(first.id);
  });
});
