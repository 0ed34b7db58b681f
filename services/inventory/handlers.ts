import type { z } from 'zod';
import type { HandlerMap } from '../kit/consumer.ts';
import { OrderCancelled, OrderConfirmed, OrderPlaced, ProductScheduled, payload } from '../kit/contracts.ts';
import type { PoolClient } from '../kit/db.ts';
import type { Logger } from '../kit/log.ts';
import { orderStatusSetter } from '../kit/order-status.ts';
import type { Tx } from '../kit/outbox.ts';
import { type Reservation, reserveUnits, type ShelfRule } from './reserve.ts';

/**
 * Locks the order's reservation row, creating it as 'pending' when this is the first news of the
 * order, and answers its status: one statement (the no-op update of an existing row takes its lock
 * and returns its latest committed status, as SELECT ... FOR UPDATE would).
 */
export async function lockReservation(client: PoolClient, orderId: string): Promise<string> {
  const { rows } = await client.query<{ status: string }>(
    `INSERT INTO reservations (order_id, status) VALUES ($1, 'pending')
     ON CONFLICT (order_id) DO UPDATE SET status = reservations.status
     RETURNING status`,
    [orderId],
  );
  return rows[0]!.status;
}

const setReservation = orderStatusSetter('reservations');

/**
 * The reserved units of the order become sold ($2: the lab instant); the reservation is consumed.
 * One statement.
 */
export const CONSUME = `
  WITH units AS (
    UPDATE stock_units SET status = 'sold', sold_at = $2
    WHERE order_id = $1 AND status = 'reserved' RETURNING id
  ),
  recorded AS (
    UPDATE reservations SET status = 'consumed', reason = NULL, updated_at = now() WHERE order_id = $1
  )
  SELECT ARRAY(SELECT id FROM units ORDER BY id) AS units`;

/**
 * The reserved units of the order are available again ($3: the lab instant; one stale by now is
 * not reservable and the next sweep takes it); the reservation is released. One statement.
 */
const RELEASE = `
  WITH units AS (
    UPDATE stock_units SET status = 'available', order_id = NULL, reserved_at = NULL, released_at = $3
    WHERE order_id = $1 AND status = 'reserved' RETURNING id
  ),
  recorded AS (
    UPDATE reservations SET status = 'released', reason = $2, updated_at = now() WHERE order_id = $1
  )
  SELECT ARRAY(SELECT id FROM units ORDER BY id) AS units`;

export async function settleUnits(
  client: PoolClient,
  statement: string,
  params: unknown[],
): Promise<number[]> {
  const { rows } = await client.query<{ units: string[] }>(statement, params);
  // pg answers bigint[] as strings (only the scalar int8 has the kit's number parser).
  return rows[0]!.units.map(Number);
}

/** An inventory event keyed by its aggregate: the order for the saga's, the product for the oven's. */
export function inventoryEvent(
  tx: Tx,
  type: string,
  aggregate: { type: 'order' | 'stock'; id: string },
  payload: Record<string, unknown>,
) {
  return tx.emit({
    topic: 'inventory',
    type,
    aggregateType: aggregate.type,
    aggregateId: aggregate.id,
    payload,
  });
}

export function orderEvent(tx: Tx, type: string, orderId: string, body: Record<string, unknown>) {
  return inventoryEvent(tx, type, { type: 'order', id: orderId }, { order_id: orderId, ...body });
}

type Placed = z.infer<typeof OrderPlaced>;

/**
 * OrderPlaced for an order whose reservation row this transaction locks: reserve unless the order
 * is over already (cancelled first) or was handled before. Undefined when nothing was decided.
 */
export async function reserveLocked(
  tx: Tx,
  order: Placed,
  rule: ShelfRule,
): Promise<Reservation | undefined> {
  const status = await lockReservation(tx.client, order.order_id);
  if (status === 'cancelled') {
    // The cancel overtook the order: never hold stock for an order that is already over.
    await setReservation(tx.client, order.order_id, 'rejected', 'order_cancelled');
    return undefined;
  }
  if (status !== 'pending') return undefined; // this order was handled already
  return reserveUnits(tx.client, order.order_id, order.lines, rule);
}

/** StockReserved, or StockRejected (insufficient_stock). */
export async function announceReservation(
  tx: Tx,
  order: Placed,
  reservation: Reservation,
  log: Logger,
): Promise<void> {
  if (!reservation.ok) {
    await orderEvent(tx, 'StockRejected', order.order_id, {
      customer_id: order.customer_id,
      reason: 'insufficient_stock',
      product_id: reservation.productId,
    });
    log.info({ orderId: order.order_id }, 'stock rejected');
    return;
  }
  await orderEvent(tx, 'StockReserved', order.order_id, {
    customer_id: order.customer_id,
    units: reservation.units,
    amount_cents: order.total_cents,
  });
}

/** The oven keeps the schedule catalog declared (the latest one wins; learned_at stays the first). */
async function learnSchedule(client: PoolClient, body: unknown, labNow: Date): Promise<void> {
  const scheduled = payload(ProductScheduled, body);
  await client.query(
    `INSERT INTO bake_schedules (product_id, schedule, learned_at, updated_at) VALUES ($1, $2, $3, $3)
     ON CONFLICT (product_id) DO UPDATE SET schedule = excluded.schedule, updated_at = excluded.updated_at`,
    [scheduled.product_id, scheduled.schedule, labNow],
  );
}

export function inventoryHandlers(options: { compensation: boolean; shelf: ShelfRule }): HandlerMap {
  const { clock } = options.shelf;
  return {
    catalog: {
      async ProductScheduled(tx, event) {
        await learnSchedule(tx.client, event.payload, clock.now());
      },
    },
    orders: {
      async OrderPlaced(tx, event, log) {
        const order = payload(OrderPlaced, event.payload);
        const reservation = await reserveLocked(tx, order, options.shelf);
        if (reservation) await announceReservation(tx, order, reservation, log);
      },

      async OrderConfirmed(tx, event) {
        const order = payload(OrderConfirmed, event.payload);
        const status = await lockReservation(tx.client, order.order_id);
        if (status !== 'reserved') return;
        const units = await settleUnits(tx.client, CONSUME, [order.order_id, clock.now()]);
        await orderEvent(tx, 'StockConsumed', order.order_id, { units });
      },

      async OrderCancelled(tx, event, log) {
        const order = payload(OrderCancelled, event.payload);
        const status = await lockReservation(tx.client, order.order_id);
        if (status === 'pending') {
          await setReservation(tx.client, order.order_id, 'cancelled', order.reason);
          return;
        }
        if (status !== 'reserved') return;
        if (!options.compensation) {
          log.warn({ orderId: order.order_id }, 'compensation is off: reserved units stay held');
          return;
        }
        const units = await settleUnits(tx.client, RELEASE, [order.order_id, order.reason, clock.now()]);
        await orderEvent(tx, 'StockReleased', order.order_id, { units });
      },
    },
  };
}
