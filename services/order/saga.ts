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

export async function recordHistory(
  client: PoolClient,
  entry: {
    orderId: string;
    eventId: string;
    type: string;
    topic: string;
    producer: string;
    occurredAt: Date;
    payload: unknown;
  },
): Promise<void> {
  await client.query(
    `INSERT INTO order_history (order_id, event_id, event_type, topic, producer, occurred_at, payload)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (order_id, event_id) DO NOTHING`,
    [entry.orderId, entry.eventId, entry.type, entry.topic, entry.producer, entry.occurredAt, entry.payload],
  );
}

export function historyOfOwn(event: OutgoingEvent) {
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

export function historyOfIncoming(orderId: string, event: IncomingEvent) {
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

/** PENDING → CONFIRMED | CANCELLED, with its event, in the caller's transaction. */
export async function finishOrder(
  tx: Tx,
  order: OrderRow,
  outcome: { status: 'CONFIRMED' } | { status: 'CANCELLED'; reason: string },
): Promise<OutgoingEvent> {
  const reason = outcome.status === 'CANCELLED' ? outcome.reason : null;
  await tx.client.query(
    `UPDATE orders SET status = $2, reason = $3, updated_at = clock_timestamp(), completed_at = clock_timestamp() WHERE id = $1`,
    [order.id, outcome.status, reason],
  );
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
  await recordHistory(tx.client, historyOfOwn(event));
  return event;
}
