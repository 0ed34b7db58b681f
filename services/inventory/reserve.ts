import type { PoolClient } from '../kit/db.ts';

/** How long a reserved unit must stay fresh: far longer than a saga takes, even under faults. */
export const SELL_BY_MARGIN = '5 minutes';

export type Reservation = { ok: true; units: number[] } | { ok: false; productId: string };

/**
 * Picks the oldest sellable units of every product and marks them reserved for the order, or
 * nothing at all if any product is short.
 *
 * Sellable = available and still fresh for SELL_BY_MARGIN after now (the database clock): the unit
 * is sold when the order confirms, a little later, and must not have expired by then. FOR UPDATE SKIP LOCKED lets concurrent
 * reservations take different units instead of queueing on the same oldest rows; a unit locked by
 * another transaction is either taken by it or, if it rolls back, free for the next order. Plain
 * FOR UPDATE would be worse: after waiting, the re-checked row no longer matches and LIMIT returns
 * too few rows, rejecting an order while stock exists.
 */
export async function reserveUnits(
  client: PoolClient,
  orderId: string,
  lines: Array<{ product_id: string; quantity: number }>,
): Promise<Reservation> {
  const wanted = new Map<string, number>();
  for (const line of lines) wanted.set(line.product_id, (wanted.get(line.product_id) ?? 0) + line.quantity);
  const units: number[] = [];
  // A fixed product order keeps two multi-product reservations from locking in opposite orders.
  for (const [productId, quantity] of [...wanted].sort(([a], [b]) => a.localeCompare(b))) {
    const { rows } = await client.query<{ id: number }>(
      `SELECT id FROM stock_units
       WHERE product_id = $1 AND status = 'available'
         AND (expires_at IS NULL OR expires_at > now() + $3::interval)
       ORDER BY produced_at, id
       LIMIT $2
       FOR UPDATE SKIP LOCKED`,
      [productId, quantity, SELL_BY_MARGIN],
    );
    if (rows.length < quantity) return { ok: false, productId };
    units.push(...rows.map((row) => row.id));
  }
  await client.query(
    `UPDATE stock_units SET status = 'reserved', order_id = $1, reserved_at = now()
     WHERE id = ANY($2::bigint[])`,
    [orderId, units],
  );
  return { ok: true, units };
}
