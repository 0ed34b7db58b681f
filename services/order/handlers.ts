import type { EventHandler, HandlerMap } from '../kit/consumer.ts';
import { PaymentCaptured, PaymentDeclined, payload, StockRejected } from '../kit/contracts.ts';
import type { Metrics } from '../kit/metrics.ts';
import { finishOrder } from './saga.ts';

/** Only recorded: the journal writes every event into the order's history. */
const recordOnly: EventHandler = async () => {};

/**
 * The events that move the saga on. Every event here goes into the order's history (the journal
 * writes it before the handler runs); an order that is no longer PENDING (the customer
 * cancelled first, or a copy of the news came) is left as it is.
 */
export function orderHandlers(metrics: Metrics): HandlerMap {
  const cancel =
    (schema: typeof StockRejected | typeof PaymentDeclined): EventHandler =>
    async (tx, event) => {
      const { order_id, reason } = payload(schema, event.payload);
      if (await finishOrder(tx, order_id, { status: 'CANCELLED', reason }))
        metrics.sagaOrders.inc({ status: 'CANCELLED' });
    };
  return {
    inventory: {
      StockReserved: recordOnly,
      StockRejected: cancel(StockRejected),
      StockReleased: recordOnly,
      StockConsumed: recordOnly,
    },
    payments: {
      // Captured after a customer cancel: the order stays CANCELLED, and payment refunds on OrderCancelled.
      async PaymentCaptured(tx, event) {
        const { order_id } = payload(PaymentCaptured, event.payload);
        if (await finishOrder(tx, order_id, { status: 'CONFIRMED' }))
          metrics.sagaOrders.inc({ status: 'CONFIRMED' });
      },
      PaymentDeclined: cancel(PaymentDeclined),
      PaymentRefunded: recordOnly,
    },
    shipping: {
      ShipmentScheduled: recordOnly,
    },
  };
}
