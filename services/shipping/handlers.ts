import { randomUUID } from 'node:crypto';
import type { HandlerMap } from '../kit/consumer.ts';
import { OrderConfirmed, payload } from '../kit/contracts.ts';
import type { PoolClient } from '../kit/db.ts';
import type { Tx } from '../kit/outbox.ts';

/** One shipment per order: the unique order_id skips orders already scheduled (and copies). */
const SCHEDULE = `
  INSERT INTO shipments (id, order_id, customer_id)
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[])
  ON CONFLICT (order_id) DO NOTHING
  RETURNING id, order_id, customer_id`;

export interface Shipment {
  id: string;
  order_id: string;
  customer_id: string;
}

/** Schedules the orders' shipments; answers those new (an order scheduled before is skipped). */
export async function scheduleShipments(
  client: PoolClient,
  orders: ReadonlyArray<{ order_id: string; customer_id: string }>,
): Promise<Shipment[]> {
  const { rows } = await client.query<Shipment>(SCHEDULE, [
    orders.map(() => randomUUID()),
    orders.map((order) => order.order_id),
    orders.map((order) => order.customer_id),
  ]);
  return rows;
}

export function shipmentScheduled(tx: Tx, shipment: Shipment) {
  return tx.emit({
    topic: 'shipping',
    type: 'ShipmentScheduled',
    aggregateType: 'order',
    aggregateId: shipment.order_id,
    payload: { order_id: shipment.order_id, customer_id: shipment.customer_id, shipment_id: shipment.id },
  });
}

export function shippingHandlers(): HandlerMap {
  return {
    orders: {
      async OrderConfirmed(tx, event) {
        const order = payload(OrderConfirmed, event.payload);
        for (const shipment of await scheduleShipments(tx.client, [order]))
          await shipmentScheduled(tx, shipment);
      },
    },
  };
}
