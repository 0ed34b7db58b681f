/**
 * Orders as the order service's database sees them (endpoints().databases.order), the flags a
 * learner should notice (a double charge from payment's database), and one order's saga and trace
 * built with the report's own derivation, so the console draws them with the report's components.
 */
import type pg from 'pg';
import type { DatabaseServiceName } from '../../common/roster.ts';
import { spansMentioning } from '../../infra/otel-collector/receiver.ts';
import { captureOrder } from '../chaos/capture.ts';
import { runEvents } from '../chaos/run-events.ts';
import { spansFile } from '../chaos/rundir.ts';
import { buildOrders, sagaLanes } from '../report/build.ts';
import type { OrderModel } from '../report/model.ts';

export interface OrderRowView {
  id: string;
  status: string;
  reason: string | null;
  totalCents: number;
  createdAt: string;
  charges: number;
}

export interface OrderSummary {
  counts: Record<string, number>;
  recent: OrderRowView[];
}

export type Pools = Record<DatabaseServiceName, pg.Pool>;

export async function orderSummary(pools: Pools, limit = 25): Promise<OrderSummary> {
  const [counts, recent] = await Promise.all([
    pools.order.query<{ status: string; count: number }>(
      'SELECT status, count(*)::int AS count FROM orders GROUP BY status',
    ),
    pools.order.query<{
      id: string;
      status: string;
      reason: string | null;
      total_cents: string;
      created_at: Date;
    }>(
      'SELECT id::text, status, reason, total_cents, created_at FROM orders ORDER BY created_at DESC LIMIT $1',
      [limit],
    ),
  ]);
  const ids = recent.rows.map((row) => row.id);
  const charges = await pools.payment.query<{ order_id: string; count: number }>(
    "SELECT order_id::text, count(*)::int AS count FROM payments WHERE kind = 'charge' AND order_id::text = ANY($1::text[]) GROUP BY order_id",
    [ids],
  );
  const chargesOf = new Map(charges.rows.map((row) => [row.order_id, row.count]));
  return {
    counts: Object.fromEntries(counts.rows.map((row) => [row.status, row.count])),
    recent: recent.rows.map((row) => ({
      id: row.id,
      status: row.status,
      reason: row.reason,
      totalCents: Number(row.total_cents),
      createdAt: row.created_at.toISOString(),
      charges: chargesOf.get(row.id) ?? 0,
    })),
  };
}

/** One order's saga, times in ms since the order was created; undefined for an unknown id. */
export async function orderSaga(
  pools: Pools,
  orderId: string,
): Promise<{ order: OrderModel; lanes: string[] } | undefined> {
  const snapshot = await captureOrder(pools, orderId);
  if (snapshot.rows.order.orders.length === 0) return undefined;
  const events = runEvents(snapshot);
  // The stack's span receiver (otel-collector) keeps every span in the lab home's spans.jsonl.
  const spans = spansMentioning(spansFile(), orderId);
  // Times count from the saga's first step (the outbox row may be a moment older than the order row).
  const [absolute] = buildOrders({ snapshot, events, spans, toRunMs: (ms) => ms });
  if (!absolute) return undefined;
  const origin = Math.min(absolute.created, ...absolute.steps.map((step) => step.t));
  const [order] = buildOrders({ snapshot, events, spans, toRunMs: (ms) => ms - origin });
  if (!order) return undefined;
  return { order, lanes: sagaLanes([order]) };
}
