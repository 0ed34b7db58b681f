import { OrderPlaced, payload } from '../kit/contracts.ts';
import type { PoolClient } from '../kit/db.ts';
import type { FastHandlerMap } from '../kit/fast/consumer.ts';
import { announceReservation, reserveLocked } from './handlers.ts';
import {
  enoughIfUnlocked,
  freshness,
  OUTCOME,
  REASON,
  type Reservation,
  reserveStatement,
  runReservation,
  type ShelfRule,
} from './reserve.ts';

/**
 * The fast kit's form of inventory's reservation (handlers.ts, OrderPlaced), used only by
 * `--kit fast`: for an order inventory has not heard of, the usual case, the reservations row is
 * created with the outcome by the statement that reserves, one round trip instead of two.
 */
/**
 * The order is news to inventory: the reservations row is created with the outcome. If the row
 * exists (a copy of the event, a cancel that came first), nothing is inserted and nothing reserved.
 */
const CLAIM_AND_RESERVE = reserveStatement({
  cte: `
    INSERT INTO reservations (order_id, status, reason) VALUES ($1, ${OUTCOME}, ${REASON})
    ON CONFLICT (order_id) DO NOTHING RETURNING order_id`,
  gate: ' AND EXISTS (SELECT 1 FROM recorded)',
});

/**
 * For an order inventory has not heard of yet, the usual case: creates its reservations row with
 * the outcome and reserves, in one statement. Answers `undefined` when the order has a row already:
 * the caller then locks that row and decides (reserveUnits).
 *
 * A shortage only because SKIP LOCKED passed over units another reservation had locked is no
 * decision: the row just recorded `rejected` goes back to `pending` (it is this transaction's own
 * row) and the caller's reserveUnits tries again as the plain form does, instead of rejecting an
 * order while the stock exists.
 */
export async function claimAndReserve(
  client: PoolClient,
  orderId: string,
  lines: Array<{ product_id: string; quantity: number }>,
  rule: ShelfRule,
): Promise<Reservation | undefined> {
  const fresh = freshness(rule);
  const { reservation, recorded } = await runReservation(client, CLAIM_AND_RESERVE, orderId, lines, fresh);
  if (!recorded) return undefined;
  if (!reservation.ok && (await enoughIfUnlocked(client, reservation.productId, lines, fresh))) {
    await client.query(`UPDATE reservations SET status = 'pending', reason = NULL WHERE order_id = $1`, [
      orderId,
    ]);
    return undefined;
  }
  return reservation;
}

export function fastReserveHandlers(rule: ShelfRule): FastHandlerMap {
  return {
    orders: {
      async OrderPlaced(tx, event, log) {
        const order = payload(OrderPlaced, event.payload);
        // A row there already (a copy, a cancel first): lock it and decide as the plain form does.
        const reservation =
          (await claimAndReserve(tx.client, order.order_id, order.lines, rule)) ??
          (await reserveLocked(tx, order, rule));
        if (reservation) await announceReservation(tx, order, reservation, log);
      },
    },
  };
}
