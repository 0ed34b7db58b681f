import { OrderPlaced, payload } from '../kit/contracts.ts';
import type { PoolClient } from '../kit/db.ts';
import type { FastHandlerMap } from '../kit/fast/consumer.ts';
import { announceReservation, reserveLocked } from './handlers.ts';
import { OUTCOME, REASON, type Reservation, reserveStatement, runReservation } from './reserve.ts';

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
 * the outcome and reserves, in one statement. Answers `undefined`, having changed nothing, when the
 * order has a row already: the caller then locks that row and decides (reserveUnits).
 */
export async function claimAndReserve(
  client: PoolClient,
  orderId: string,
  lines: Array<{ product_id: string; quantity: number }>,
): Promise<Reservation | undefined> {
  const { reservation, recorded } = await runReservation(client, CLAIM_AND_RESERVE, orderId, lines);
  return recorded ? reservation : undefined;
}

export function fastReserveHandlers(): FastHandlerMap {
  return {
    orders: {
      async OrderPlaced(tx, event, log) {
        const order = payload(OrderPlaced, event.payload);
        // A row there already (a copy, a cancel first): lock it and decide as the plain form does.
        const reservation =
          (await claimAndReserve(tx.client, order.order_id, order.lines)) ?? (await reserveLocked(tx, order));
        if (reservation) await announceReservation(tx, order, reservation, log);
      },
    },
  };
}
