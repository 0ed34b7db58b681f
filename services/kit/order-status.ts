/**
 * A service's own row of an order (inventory's reservation, payment's payment order) moves to a
 * new status with its reason, stamped updated_at. Each handler first takes that row's lock with its
 * lock-and-status statement, so this write never races another handler's for the same order: no
 * lost update of the status between two deliveries.
 */
import type { PoolClient } from './db.ts';

/** The tables holding one status row per order; a closed list, so the name is safe in the SQL. */
export type OrderStatusTable = 'reservations' | 'payment_orders';

/** The status setter of one such table: (client, order, status, reason) in one UPDATE. */
export function orderStatusSetter(table: OrderStatusTable) {
  const statement = `UPDATE ${table} SET status = $2, reason = $3, updated_at = now() WHERE order_id = $1`;
  return async (client: PoolClient, orderId: string, status: string, reason: string | null = null) => {
    await client.query(statement, [orderId, status, reason]);
  };
}
