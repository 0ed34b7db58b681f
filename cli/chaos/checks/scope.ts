/** Views of the snapshot shared by several checks: the run's orders with their lines. */
import type { OrderRow, RunSnapshot } from '../capture.ts';

/**
 * An event written this shortly before the capture may still be on its way (to the broker, to a
 * consumer): it is in flight, not left behind or lost. The stack keeps publishing after the run
 * (an oven baking, a price ticker), so a capture always meets a few such events.
 */
export const IN_FLIGHT_MS = 3000;

export interface RunOrder extends OrderRow {
  lines: Array<{ product_id: string; sku: string; quantity: number }>;
}

/** The orders of the run's customers, oldest first, each with its lines in line order. */
export function runOrders(snapshot: RunSnapshot): RunOrder[] {
  const customers = new Set(snapshot.scope.customerIds);
  const byOrder = new Map<string, RunOrder>(
    snapshot.rows.order.orders
      .filter((order) => customers.has(order.customer_id))
      .map((order) => [order.id, { ...order, lines: [] }]),
  );
  for (const line of snapshot.rows.order.order_lines)
    byOrder
      .get(line.order_id)
      ?.lines.push({ product_id: line.product_id, sku: line.sku, quantity: line.quantity });
  return [...byOrder.values()];
}

/** Units per product the run's confirmed orders bought. */
export function soldByProduct(orders: RunOrder[]): Map<string, number> {
  const sold = new Map<string, number>();
  for (const order of orders)
    if (order.status === 'CONFIRMED')
      for (const line of order.lines)
        sold.set(line.product_id, (sold.get(line.product_id) ?? 0) + line.quantity);
  return sold;
}

/** Adds one to a counter in a map of counters. */
export function countInto<K>(counts: Map<K, number>, key: K, by = 1): void {
  counts.set(key, (counts.get(key) ?? 0) + by);
}

/** Code-point order, as PostgreSQL's C collation and uuid order sort ids (localeCompare skips dashes). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
