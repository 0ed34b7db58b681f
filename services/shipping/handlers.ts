import { randomUUID } from 'node:crypto';
import type { HandlerMap } from '../kit/consumer.ts';
import { OrderConfirmed, payload } from '../kit/contracts.ts';

/** One shipment per order: the unique order_id skips orders already scheduled (and copies). */
const SCHEDULE = `
  INSERT INTO shipments (id, order_id, customer_id)
  SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::uuid[])
  ON CONFLICT (order_id) DO NOTHING
  RETURNING id, order_id, customer_id`;

export function shippingHandlers(): HandlerMap {
  return {
    orders: {
      // Every confirmed order of the batch in one statement.
      OrderConfirmed: {
        async together(units) {
          const orders = units.map((unit) => ({ unit, order: payload(OrderConfirmed, unit.event.payload) }));
          const { rows } = await units[0]!.tx.client.query<{
            id: string;
            order_id: string;
            customer_id: string;
          }>(SCHEDULE, [
            orders.map(() => randomUUID()),
            orders.map(({ order }) => order.order_id),
            orders.map(({ order }) => order.customer_id),
          ]);
          for (const shipment of rows) {
            const { unit } = orders.find(({ order }) => order.order_id === shipment.order_id)!;
            await unit.tx.emit({
              topic: 'shipping',
              type: 'ShipmentScheduled',
              aggregateType: 'order',
              aggregateId: shipment.order_id,
              payload: {
                order_id: shipment.order_id,
                customer_id: shipment.customer_id,
                shipment_id: shipment.id,
              },
            });
          }
        },
      },
    },
  };
}
