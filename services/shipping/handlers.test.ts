import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { applyPlain, query, type ServiceDatabase, withServiceDatabase } from '../../test/services-support.ts';
import type { IncomingEvent } from '../kit/events.ts';
import type { SetHandler, Unit } from '../kit/fast/consumer.ts';
import { fastScheduleHandlers } from './fast-schedule.ts';
import { shippingHandlers } from './handlers.ts';

const log = pino({ level: 'silent' });
let database: ServiceDatabase;

withServiceDatabase('shipping', {}, (started) => {
  database = started;
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

/**
 * Applies `events` as the form's kit does: fast, as one set in one transaction, each with its own
 * unit of work; plain, one transaction per event.
 */
async function apply(form: 'plain' | 'fast', events: IncomingEvent[]): Promise<void> {
  if (form === 'plain') {
    const handler = shippingHandlers().orders!.OrderConfirmed!;
    for (const event of events) await applyPlain(database.reference, handler, event, log);
    return;
  }
  const handler = fastScheduleHandlers().orders!.OrderConfirmed as SetHandler;
  await database.writer.batch(async (open) => {
    const units: Unit[] = events.map((event) => ({
      tx: open({ correlationId: event.key!, causationId: event.id }),
      event,
    }));
    await handler.together(units, log);
  });
}

describe.each(['plain', 'fast'] as const)('shipping, %s form: confirmed orders', (form) => {
  it('one shipment and one ShipmentScheduled per order, copies in the same batch or later included', async () => {
    const customer = randomUUID();
    const [a, b] = [randomUUID(), randomUUID()];
    const first = confirmed(a, customer);
    // A copy of a's event (--without inbox delivers copies) in the same batch, and b.
    await apply(form, [first, { ...first, id: randomUUID() }, confirmed(b, customer)]);
    await apply(form, [confirmed(a, customer)]); // news of a again, in a later batch
    const shipments = await query<{ order_id: string }>(
      database.url,
      'SELECT order_id FROM shipments WHERE order_id = ANY($1::uuid[]) ORDER BY order_id',
      [[a, b]],
    );
    expect(shipments.map((row) => row.order_id)).toEqual([a, b].sort());
    const events = await query<{ aggregateid: string; headers: Record<string, string> }>(
      database.url,
      `SELECT aggregateid, headers FROM outbox WHERE type = 'ShipmentScheduled' AND aggregateid = ANY($1)`,
      [[a, b]],
    );
    expect(events.map((row) => row.aggregateid).sort()).toEqual([a, b].sort());
    // a's event was caused by the first of its copies, the one that scheduled it.
    expect(events.find((row) => row.aggregateid === a)!.headers['causation-id']).toBe(first.id);
  });
});
