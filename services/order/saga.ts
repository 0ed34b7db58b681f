import { z } from 'zod';
import { type OrderLine, payload } from '../kit/contracts.ts';
import type { PoolClient } from '../kit/db.ts';
import type { EventContext, EventDraft, IncomingEvent, OutgoingEvent } from '../kit/events.ts';
import type { Logger } from '../kit/log.ts';
import type { EventWriter, Tx } from '../kit/outbox.ts';

export type OrderStatus = 'PENDING' | 'CONFIRMED' | 'CANCELLED';

export interface OrderRow {
  id: string;
  customer_id: string;
  status: OrderStatus;
  total_cents: number;
  reason: string | null;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
}

/** The order row, locked: every state change of one order is serialised on it. */
export async function lockOrder(client: PoolClient, orderId: string): Promise<OrderRow | undefined> {
  const { rows } = await client.query<OrderRow>('SELECT * FROM orders WHERE id = $1 FOR UPDATE', [orderId]);
  return rows[0];
}

export interface HistoryEntry {
  orderId: string;
  eventId: string;
  type: string;
  topic: string;
  producer: string;
  occurredAt: Date;
  payload: unknown;
}

export interface NewOrder {
  id: string;
  customerId: string;
  totalCents: number;
  lines: OrderLine[];
}

export function orderPlaced(order: NewOrder): EventDraft {
  return {
    topic: 'orders',
    type: 'OrderPlaced',
    aggregateType: 'order',
    aggregateId: order.id,
    payload: {
      order_id: order.id,
      customer_id: order.customerId,
      lines: order.lines,
      total_cents: order.totalCents,
    },
  };
}

/** How an order is placed (the fast kit's form is one statement: fast-place.ts). */
export type PlaceOrder<W extends EventWriter = EventWriter> = (
  writer: W,
  context: EventContext,
  order: NewOrder,
) => Promise<OrderRow>;

/**
 * The first state of an order: its row, its lines and OrderPlaced in the outbox (and, by the
 * journal, in its history), in one transaction.
 */
export const placeOrder: PlaceOrder = (writer, context, order) =>
  writer.transaction(context, async (tx) => {
    const { rows } = await tx.client.query<OrderRow>(
      `INSERT INTO orders (id, customer_id, status, total_cents) VALUES ($1, $2, 'PENDING', $3) RETURNING *`,
      [order.id, order.customerId, order.totalCents],
    );
    await tx.client.query(
      `INSERT INTO order_lines (order_id, line_no, product_id, sku, quantity, unit_price_cents)
       SELECT $1::uuid, n, product_id, sku, quantity, unit_price_cents
       FROM unnest($2::uuid[], $3::text[], $4::int[], $5::bigint[])
         WITH ORDINALITY AS l(product_id, sku, quantity, unit_price_cents, n)`,
      [
        order.id,
        order.lines.map((line) => line.product_id),
        order.lines.map((line) => line.sku),
        order.lines.map((line) => line.quantity),
        order.lines.map((line) => line.unit_price_cents),
      ],
    );
    await tx.emit(orderPlaced(order));
    return rows[0]!;
  });

export function historyOfOwn(event: OutgoingEvent): HistoryEntry {
  return {
    orderId: event.aggregateId,
    eventId: event.id,
    type: event.type,
    topic: event.topic,
    producer: 'order',
    occurredAt: event.createdAt,
    payload: event.payload,
  };
}

const AboutAnOrder = z.object({ order_id: z.uuid() });

export function historyOfIncoming(event: IncomingEvent): HistoryEntry {
  return {
    orderId: payload(AboutAnOrder, event.payload).order_id,
    eventId: event.id,
    type: event.type,
    topic: event.topic,
    producer: event.headers.producer ?? 'unknown',
    occurredAt: event.occurredAt,
    payload: event.payload,
  };
}

/**
 * History entries of many events in one statement, in the given order. Entries of orders this
 * service never saw (another lab's leftovers) are not written and come back; a copy of an event
 * already recorded changes nothing.
 */
const RECORD = `
  WITH entries AS (
    SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::timestamptz[], $7::text[])
      WITH ORDINALITY AS e(order_id, event_id, event_type, topic, producer, occurred_at, payload, n)
  ),
  -- LATERAL .. LIMIT 1: a primary key lookup per entry, whatever the planner believes of the batch's
  -- size or the table's (a batch of 80 against an orders table still small was planned as a scan of it)
  known AS (
    SELECT e.* FROM entries e CROSS JOIN LATERAL (SELECT 1 FROM orders WHERE id = e.order_id LIMIT 1) found
  ),
  recorded AS (
    INSERT INTO order_history (order_id, event_id, event_type, topic, producer, occurred_at, payload)
    SELECT order_id, event_id, event_type, topic, producer, occurred_at, payload::jsonb FROM known ORDER BY n
    ON CONFLICT (order_id, event_id) DO NOTHING
  )
  SELECT order_id, event_id FROM entries WHERE n NOT IN (SELECT n FROM known)`;

export function historyStatement(entries: readonly HistoryEntry[]): { text: string; values: unknown[] } {
  return {
    text: RECORD,
    values: [
      entries.map((entry) => entry.orderId),
      entries.map((entry) => entry.eventId),
      entries.map((entry) => entry.type),
      entries.map((entry) => entry.topic),
      entries.map((entry) => entry.producer),
      entries.map((entry) => entry.occurredAt),
      entries.map((entry) => JSON.stringify(entry.payload)),
    ],
  };
}

/** The order's history: every event of its saga, received or emitted, with timestamps. */
export const orderHistory = {
  received: async (client: PoolClient, event: IncomingEvent, log: Logger): Promise<void> => {
    const { text, values } = historyStatement([historyOfIncoming(event)]);
    const { rows: unknown } = await client.query<{ order_id: string; event_id: string }>(text, values);
    for (const entry of unknown)
      log.warn({ orderId: entry.order_id, eventId: entry.event_id }, 'event for an unknown order ignored');
  },
  emitted: async (client: PoolClient, event: OutgoingEvent): Promise<void> => {
    const { text, values } = historyStatement([historyOfOwn(event)]);
    await client.query(text, values);
  },
};

type Outcome = { status: 'CONFIRMED' } | { status: 'CANCELLED'; reason: string };

export function outcomeEvent(order: OrderRow, outcome: Outcome): EventDraft {
  return outcome.status === 'CONFIRMED'
    ? {
        topic: 'orders',
        type: 'OrderConfirmed',
        aggregateType: 'order',
        aggregateId: order.id,
        payload: { order_id: order.id, customer_id: order.customer_id, total_cents: order.total_cents },
      }
    : {
        topic: 'orders',
        type: 'OrderCancelled',
        aggregateType: 'order',
        aggregateId: order.id,
        payload: { order_id: order.id, customer_id: order.customer_id, reason: outcome.reason },
      };
}

/** PENDING → CONFIRMED | CANCELLED; the update takes the row's lock and re-checks PENDING under it. */
const FINISH = `
  UPDATE orders SET status = $2, reason = $3, updated_at = clock_timestamp(), completed_at = clock_timestamp()
  WHERE id = $1 AND status = 'PENDING'
  RETURNING *`;

/**
 * PENDING → CONFIRMED | CANCELLED with its event, in the caller's transaction: one statement (the
 * history entry of the event is the journal's). Undefined, and nothing emitted, when the order is
 * unknown or no longer PENDING (e.g. the customer cancelled first).
 */
export async function finishOrder(tx: Tx, orderId: string, outcome: Outcome): Promise<OrderRow | undefined> {
  const reason = outcome.status === 'CANCELLED' ? outcome.reason : null;
  const { rows } = await tx.client.query<OrderRow>(FINISH, [orderId, outcome.status, reason]);
  const order = rows[0];
  if (order) await tx.emit(outcomeEvent(order, outcome));
  return order;
}
