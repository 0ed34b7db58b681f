import type { LabClock } from '../../common/clock.ts';
import { OrderConfirmed, payload } from '../kit/contracts.ts';
import type { PoolClient } from '../kit/db.ts';
import type { FastHandlerMap } from '../kit/fast/consumer.ts';
import { CONSUME, lockReservation, orderEvent, settleUnits } from './handlers.ts';

/**
 * The fast kit's form of inventory's consume (handlers.ts, OrderConfirmed), used only by
 * `--kit fast`: lock, decide and sell in one statement.
 */
/**
 * The usual OrderConfirmed in one statement: locks the order's reservation row (`status`: its latest
 * committed status, null when the statement's snapshot has no row) and, if it is reserved, sells its
 * units and marks it consumed. The lock is FOR UPDATE in a CTE plus one UPDATE of the row: one
 * modification, as PostgreSQL requires. `consumed` is false with status 'reserved' only when the
 * reservation committed after the snapshot was taken: its units are not in the snapshot either, so
 * the caller sells them with CONSUME, a statement with a fresh snapshot (the lock is held by then).
 */
const LOCK_AND_CONSUME = `
  WITH locked AS MATERIALIZED (
    SELECT status FROM reservations WHERE order_id = $1 FOR UPDATE
  ),
  recorded AS (
    UPDATE reservations SET status = 'consumed', reason = NULL, updated_at = now()
    WHERE order_id = $1 AND status = 'reserved' AND EXISTS (SELECT 1 FROM locked WHERE status = 'reserved')
    RETURNING order_id
  ),
  units AS (
    UPDATE stock_units SET status = 'sold', sold_at = $2
    WHERE order_id = $1 AND status = 'reserved' AND EXISTS (SELECT 1 FROM recorded)
    RETURNING id
  )
  SELECT (SELECT status FROM locked) AS status, EXISTS (SELECT 1 FROM recorded) AS consumed,
         ARRAY(SELECT id FROM units ORDER BY id) AS units`;

async function lockAndConsume(
  client: PoolClient,
  orderId: string,
  labNow: Date,
): Promise<{ status: string | null; units: number[] | undefined }> {
  const { rows } = await client.query<{ status: string | null; consumed: boolean; units: string[] }>(
    LOCK_AND_CONSUME,
    [orderId, labNow],
  );
  const row = rows[0]!;
  // pg answers bigint[] as strings (only the scalar int8 has the kit's number parser).
  return { status: row.status, units: row.consumed ? row.units.map(Number) : undefined };
}

export function fastConsumeHandlers(clock: LabClock): FastHandlerMap {
  return {
    orders: {
      async OrderConfirmed(tx, event) {
        const order = payload(OrderConfirmed, event.payload);
        const labNow = clock.now();
        let { status, units } = await lockAndConsume(tx.client, order.order_id, labNow);
        // No row yet (or one committed after the statement began): the upsert creates it 'pending',
        // or locks it and answers its status.
        status ??= await lockReservation(tx.client, order.order_id);
        if (status !== 'reserved') return;
        units ??= await settleUnits(tx.client, CONSUME, [order.order_id, labNow]);
        await orderEvent(tx, 'StockConsumed', order.order_id, { units });
      },
    },
  };
}
