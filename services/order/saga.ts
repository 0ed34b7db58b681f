import type { OrderLine } from '../kit/contracts.ts';
import type { PoolClient } from '../kit/db.ts';
import type { IncomingEvent, OutgoingEvent } from '../kit/events.ts';
import type { Tx } from '../kit/outbox.ts';

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

/** The parameters $2..$7 of the statements below that write a history entry (order id is $1). */
function historyParams(entry: HistoryEntry): unknown[] {
  return [entry.eventId, entry.type, entry.topic, entry.producer, entry.occurredAt, entry.payload];
}

/**
 * lockOrder and the history entry of the event that arrived, in one statement: the entry is
 * written only if the order exists (the locked row feeds the insert), and a copy of an event
 * already recorded changes nothing.
 */
const LOCK_AND_RECORD = `
  WITH locked AS (SELECT * FROM orders WHERE id = $1 FOR UPDATE),
  recorded AS (
    INSERT INTO order_history (order_id, event_id, event_type, topic, producer, occurred_at, payload)
    SELECT id, $2::uuid, $3::text, $4::text, $5::text, $6::timestamptz, $7::jsonb FROM locked
    ON CONFLICT (order_id, event_id) DO NOTHING
  )
  SELECT * FROM locked`;

export async function lockOrderRecording(
  client: PoolClient,
  entry: HistoryEntry,
): Promise<OrderRow | undefined> {
  const { rows } = await client.query<OrderRow>(LOCK_AND_RECORD, [entry.orderId, ...historyParams(entry)]);
  return rows[0];
}

/** The first state of an order: its row, its lines and the history entry of its OrderPlaced, in one statement. */
const PLACE = `
  WITH placed AS (
    INSERT INTO orders (id, customer_id, status, total_cents) VALUES ($1, $8, 'PENDING', $9) RETURNING *
  ),
  lines AS (
    INSERT INTO order_lines (order_id, line_no, product_id, sku, quantity, unit_price_cents)
    SELECT $1::uuid, n, product_id, sku, quantity, unit_price_cents
    FROM unnest($10::uuid[], $11::text[], $12::int[], $13::bigint[])
      WITH ORDINALITY AS l(product_id, sku, quantity, unit_price_cents, n)
  ),
  recorded AS (
    INSERT INTO order_history (order_id, event_id, event_type, topic, producer, occurred_at, payload)
    VALUES ($1, $2, $3, $4, $5, $6, $7)
  )
  SELECT * FROM placed`;

export async function insertOrder(
  client: PoolClient,
  order: { id: string; customerId: string; totalCents: number; lines: OrderLine[] },
  placed: HistoryEntry,
): Promise<OrderRow> {
  const { rows } = await client.query<OrderRow>(PLACE, [
    order.id,
    ...historyParams(placed),
    order.customerId,
    order.totalCents,
    order.lines.map((line) => line.product_id),
    order.lines.map((line) => line.sku),
    order.lines.map((line) => line.quantity),
    order.lines.map((line) => line.unit_price_cents),
  ]);
  return rows[0]!;
}

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

export function historyOfIncoming(orderId: string, event: IncomingEvent): HistoryEntry {
  return {
    orderId,
    eventId: event.id,
    type: event.type,
    topic: event.topic,
    producer: event.headers.producer ?? 'unknown',
    occurredAt: event.occurredAt,
    payload: event.payload,
  };
}

/** PENDING → CONFIRMED | CANCELLED with its history entry, in one statement. */
const FINISH = `
  WITH finished AS (
    UPDATE orders SET status = $8, reason = $9, updated_at = clock_timestamp(), completed_at = clock_timestamp()
    WHERE id = $1
  )
  INSERT INTO order_history (order_id, event_id, event_type, topic, producer, occurred_at, payload)
  VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (order_id, event_id) DO NOTHING`;

/**
 * PENDING → CONFIRMED | CANCELLED, with its event, in the caller's transaction (which holds the
 * order's lock). The event is emitted first because its history entry, written by the same
 * statement as the new status, needs the event's id.
 */
export async function finishOrder(
  tx: Tx,
  order: OrderRow,
  outcome: { status: 'CONFIRMED' } | { status: 'CANCELLED'; reason: string },
): Promise<OutgoingEvent> {
  const reason = outcome.status === 'CANCELLED' ? outcome.reason : null;
  const event = await tx.emit(
    outcome.status === 'CONFIRMED'
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
          payload: { order_id: order.id, customer_id: order.customer_id, reason },
        },
  );
  await tx.client.query(FINISH, [order.id, ...historyParams(historyOfOwn(event)), outcome.status, reason]);
  return event;
}
