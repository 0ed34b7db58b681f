/** Queries shared by several checks: the run's orders with their lines, from the order database. */
import type { CheckContext } from './types.ts';

export interface RunOrder {
  id: string;
  customer_id: string;
  status: 'PENDING' | 'CONFIRMED' | 'CANCELLED';
  total_cents: number;
  reason: string | null;
  created_at: Date;
  lines: Array<{ product_id: string; sku: string; quantity: number }>;
}

export async function runOrders(context: CheckContext): Promise<RunOrder[]> {
  const { rows: orders } = await context.databases.order.query<Omit<RunOrder, 'lines'>>(
    `SELECT id::text, customer_id::text, status, total_cents::bigint::float8 AS total_cents, reason, created_at
       FROM orders WHERE customer_id::text = ANY($1::text[]) ORDER BY created_at, id`,
    [context.scope.customerIds],
  );
  const { rows: lines } = await context.databases.order.query<{
    order_id: string;
    product_id: string;
    sku: string;
    quantity: number;
  }>(
    `SELECT l.order_id::text, l.product_id::text, l.sku, l.quantity::int AS quantity
       FROM order_lines l JOIN orders o ON o.id = l.order_id
      WHERE o.customer_id::text = ANY($1::text[]) ORDER BY l.order_id, l.line_no`,
    [context.scope.customerIds],
  );
  const byOrder = new Map<string, RunOrder>(orders.map((order) => [order.id, { ...order, lines: [] }]));
  for (const line of lines)
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
