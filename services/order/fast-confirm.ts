import { PaymentCaptured, payload } from '../kit/contracts.ts';
import type { FastHandlerMap } from '../kit/fast/consumer.ts';
import type { Metrics } from '../kit/metrics.ts';
import type { Tx } from '../kit/outbox.ts';
import { type OrderRow, outcomeEvent } from './saga.ts';

/**
 * The fast kit's form of the order's confirmation (handlers.ts, PaymentCaptured), used only by
 * `--kit fast`: every payment of a batch confirms its order in one statement.
 */
/** Every given order still PENDING → CONFIRMED, in one statement (rows locked in primary key order). */
const CONFIRM = `
  UPDATE orders SET status = 'CONFIRMED', updated_at = clock_timestamp(), completed_at = clock_timestamp()
  WHERE id = ANY ($1::uuid[]) AND status = 'PENDING'
  RETURNING *`;

/**
 * Confirms the paid orders of a batch at once; each confirmed order's event is emitted by the unit
 * of the payment that confirmed it. Answers how many were confirmed.
 */
export async function confirmOrders(paid: Array<{ tx: Tx; orderId: string }>): Promise<number> {
  const { rows } = await paid[0]!.tx.client.query<OrderRow>(CONFIRM, [paid.map(({ orderId }) => orderId)]);
  for (const order of rows) {
    const { tx } = paid.find(({ orderId }) => orderId === order.id)!;
    await tx.emit(outcomeEvent(order, { status: 'CONFIRMED' }));
  }
  return rows.length;
}

export function fastConfirmHandlers(metrics: Metrics): FastHandlerMap {
  return {
    payments: {
      // Captured after a customer cancel: the order stays CANCELLED, and payment refunds on OrderCancelled.
      PaymentCaptured: {
        async together(units) {
          const paid = units.map(({ tx, event }) => ({
            tx,
            orderId: payload(PaymentCaptured, event.payload).order_id,
          }));
          metrics.sagaOrders.inc({ status: 'CONFIRMED' }, await confirmOrders(paid));
        },
      },
    },
  };
}
