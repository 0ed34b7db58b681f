import { OrderConfirmed, payload } from '../kit/contracts.ts';
import type { FastHandlerMap } from '../kit/fast/consumer.ts';
import { scheduleShipments, shipmentScheduled } from './handlers.ts';

/**
 * The fast kit's form of shipping's schedule (handlers.ts, OrderConfirmed), used only by
 * `--kit fast`: every confirmed order of a batch in one statement, each shipment's event emitted by
 * the unit of the order that caused it.
 */
export function fastScheduleHandlers(): FastHandlerMap {
  return {
    orders: {
      OrderConfirmed: {
        async together(units) {
          const orders = units.map((unit) => ({ unit, order: payload(OrderConfirmed, unit.event.payload) }));
          const shipments = await scheduleShipments(
            units[0]!.tx.client,
            orders.map(({ order }) => order),
          );
          for (const shipment of shipments) {
            const { unit } = orders.find(({ order }) => order.order_id === shipment.order_id)!;
            await shipmentScheduled(unit.tx, shipment);
          }
        },
      },
    },
  };
}
