import { z } from 'zod';
import type { EventHandler, HandlerMap } from '../kit/consumer.ts';
import { PaymentCaptured, PaymentDeclined, payload, StockRejected } from '../kit/contracts.ts';
import type { Metrics } from '../kit/metrics.ts';
import { finishOrder, historyOfIncoming, lockOrderRecording, type OrderRow } from './saga.ts';

const AboutAnOrder = z.object({ order_id: z.uuid() });

/**
 * Records the event in the order's history, then lets `step` move the saga on. Events about an
 * order this service never saw (another lab's leftovers) are ignored.
 */
function sagaStep(
  step?: (order: OrderRow, ...rest: Parameters<EventHandler>) => Promise<void>,
): EventHandler {
  return async (tx, event, log) => {
    const { order_id } = payload(AboutAnOrder, event.payload);
    const order = await lockOrderRecording(tx.client, historyOfIncoming(order_id, event));
    if (!order) {
      log.warn({ orderId: order_id }, 'event for an unknown order ignored');
      return;
    }
    if (step) await step(order, tx, event, log);
  };
}

export function orderHandlers(metrics: Metrics): HandlerMap {
  const cancel = (reasonOf: (payload: unknown) => string) =>
    sagaStep(async (order, tx, event) => {
      if (order.status !== 'PENDING') return; // e.g. the customer cancelled first
      await finishOrder(tx, order, { status: 'CANCELLED', reason: reasonOf(event.payload) });
      metrics.sagaOrders.inc({ status: 'CANCELLED' });
    });
  return {
    inventory: {
      StockReserved: sagaStep(),
      StockRejected: cancel((value) => payload(StockRejected, value).reason),
      StockReleased: sagaStep(),
      StockConsumed: sagaStep(),
    },
    payments: {
      PaymentCaptured: sagaStep(async (order, tx, event) => {
        payload(PaymentCaptured, event.payload);
        // Captured after a customer cancel: payment refunds it on OrderCancelled.
        if (order.status !== 'PENDING') return;
        await finishOrder(tx, order, { status: 'CONFIRMED' });
        metrics.sagaOrders.inc({ status: 'CONFIRMED' });
      }),
      PaymentDeclined: cancel((value) => payload(PaymentDeclined, value).reason),
      PaymentRefunded: sagaStep(),
    },
    shipping: {
      ShipmentScheduled: sagaStep(),
    },
  };
}
