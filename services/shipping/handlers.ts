import { randomUUID } from 'node:crypto';
import type { HandlerMap } from '../kit/consumer.ts';
import { OrderConfirmed, payload } from '../kit/contracts.ts';

export function shippingHandlers(): HandlerMap {
  return {
    orders: {
      async OrderConfirmed(tx, event) {
        const order = payload(OrderConfirmed, event.payload);
        const shipmentId = randomUUID();
        const inserted = await tx.client.query(
          `INSERT INTO shipments (id, order_id, customer_id) VALUES ($1, $2, $3) ON CONFLICT (order_id) DO NOTHING`,
          [shipmentId, order.order_id, order.customer_id],
        );
        if (inserted.rowCount === 0) return; // already scheduled
        await tx.emit({
          topic: 'shipping',
          type: 'ShipmentScheduled',
          aggregateType: 'order',
          aggregateId: order.order_id,
          payload: { order_id: order.order_id, customer_id: order.customer_id, shipment_id: shipmentId },
        });
      },
    },
  };
}
