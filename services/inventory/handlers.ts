import type { HandlerMap } from '../kit/consumer.ts';
import { OrderCancelled, OrderConfirmed, OrderPlaced, payload } from '../kit/contracts.ts';
import type { PoolClient } from '../kit/db.ts';
import type { Tx } from '../kit/outbox.ts';
import { reserveUnits } from './reserve.ts';

/** Locks the order's reservation row, creating it as 'pending' when this is the first news of the order. */
async function lockReservation(client: PoolClient, orderId: string): Promise<string> {
  await client.query(
    `INSERT INTO reservations (order_id, status) VALUES ($1, 'pending') ON CONFLICT (order_id) DO NOTHING`,
    [orderId],
  );
  const { rows } = await client.query<{ status: string }>(
    'SELECT status FROM reservations WHERE order_id = $1 FOR UPDATE',
    [orderId],
  );
  return rows[0]!.status;
}

async function setReservation(
  client: PoolClient,
  orderId: string,
  status: string,
  reason: string | null = null,
) {
  await client.query(
    'UPDATE reservations SET status = $2, reason = $3, updated_at = now() WHERE order_id = $1',
    [orderId, status, reason],
  );
}

function orderEvent(tx: Tx, type: string, orderId: string, body: Record<string, unknown>) {
  return tx.emit({
    topic: 'inventory',
    type,
    aggregateType: 'order',
    aggregateId: orderId,
    payload: { order_id: orderId, ...body },
  });
}

export function inventoryHandlers(options: { compensation: boolean }): HandlerMap {
  return {
    orders: {
      async OrderPlaced(tx, event, log) {
        const order = payload(OrderPlaced, event.payload);
        const status = await lockReservation(tx.client, order.order_id);
        if (status === 'cancelled') {
          // The cancel overtook the order: never hold stock for an order that is already over.
          await setReservation(tx.client, order.order_id, 'rejected', 'order_cancelled');
          return;
        }
        if (status !== 'pending') return; // this order was handled already
        const reservation = await reserveUnits(tx.client, order.order_id, order.lines);
        if (!reservation.ok) {
          await setReservation(tx.client, order.order_id, 'rejected', 'insufficient_stock');
          await orderEvent(tx, 'StockRejected', order.order_id, {
            customer_id: order.customer_id,
            reason: 'insufficient_stock',
            product_id: reservation.productId,
          });
          log.info({ orderId: order.order_id }, 'stock rejected');
          return;
        }
        await setReservation(tx.client, order.order_id, 'reserved');
        await orderEvent(tx, 'StockReserved', order.order_id, {
          customer_id: order.customer_id,
          units: reservation.units,
          amount_cents: order.total_cents,
        });
      },

      async OrderConfirmed(tx, event) {
        const order = payload(OrderConfirmed, event.payload);
        const status = await lockReservation(tx.client, order.order_id);
        if (status !== 'reserved') return;
        const { rows } = await tx.client.query<{ id: number }>(
          `UPDATE stock_units SET status = 'sold', sold_at = now()
           WHERE order_id = $1 AND status = 'reserved' RETURNING id`,
          [order.order_id],
        );
        await setReservation(tx.client, order.order_id, 'consumed');
        await orderEvent(tx, 'StockConsumed', order.order_id, {
          units: rows.map((row) => row.id).sort((a, b) => a - b),
        });
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
        const { rows } = await tx.client.query<{ id: number }>(
          `UPDATE stock_units SET status = 'available', order_id = NULL, reserved_at = NULL, released_at = now()
           WHERE order_id = $1 AND status = 'reserved' RETURNING id`,
          [order.order_id],
        );
        await setReservation(tx.client, order.order_id, 'released', order.reason);
        await orderEvent(tx, 'StockReleased', order.order_id, {
          units: rows.map((row) => row.id).sort((a, b) => a - b),
        });
      },
    },
  };
}
