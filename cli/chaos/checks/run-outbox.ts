/**
 * The run's own events, for the checks that follow events to their consumers: every outbox row
 * whose aggregate (or payload's order) is one of the run's orders, customers or products. On a
 * warm stack other things publish too (an earlier run's stragglers, a bakery oven): they are not
 * this run's to judge.
 */
import { DATABASE_SERVICES } from '../../../common/roster.ts';
import type { OutboxRow, RunSnapshot } from '../capture.ts';
import { runOrders } from './scope.ts';

export interface RunOutboxRow extends OutboxRow {
  /** The service whose outbox wrote it. */
  producer: string;
}

function orderIdOf(payload: unknown): string | undefined {
  const id = (payload as { order_id?: unknown } | null)?.order_id;
  return typeof id === 'string' ? id : undefined;
}

/** The run's outbox rows, by event id, each with the service that wrote it. */
export function runOutboxRows(snapshot: RunSnapshot): Map<string, RunOutboxRow> {
  const ours = new Set([
    ...runOrders(snapshot).map((order) => order.id),
    ...snapshot.scope.customerIds,
    ...snapshot.scope.products.map((product) => product.id),
  ]);
  const events = new Map<string, RunOutboxRow>();
  for (const producer of DATABASE_SERVICES)
    for (const row of snapshot.rows[producer].outbox) {
      const orderId = orderIdOf(row.payload);
      if (ours.has(row.aggregateid) || (orderId !== undefined && ours.has(orderId)))
        events.set(row.event_id, { ...row, producer });
    }
  return events;
}
