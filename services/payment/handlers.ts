import { randomUUID } from 'node:crypto';
import type { HandlerMap } from '../kit/consumer.ts';
import { OrderCancelled, payload, StockReserved, UserRegistered } from '../kit/contracts.ts';
import type { PoolClient } from '../kit/db.ts';
import type { Tx } from '../kit/outbox.ts';

async function lockPaymentOrder(client: PoolClient, orderId: string): Promise<string> {
  await client.query(
    `INSERT INTO payment_orders (order_id, status) VALUES ($1, 'pending') ON CONFLICT (order_id) DO NOTHING`,
    [orderId],
  );
  const { rows } = await client.query<{ status: string }>(
    'SELECT status FROM payment_orders WHERE order_id = $1 FOR UPDATE',
    [orderId],
  );
  return rows[0]!.status;
}

async function setPaymentOrder(
  client: PoolClient,
  orderId: string,
  status: string,
  reason: string | null = null,
) {
  await client.query(
    'UPDATE payment_orders SET status = $2, reason = $3, updated_at = now() WHERE order_id = $1',
    [orderId, status, reason],
  );
}

function paymentEvent(tx: Tx, type: string, orderId: string, body: Record<string, unknown>) {
  return tx.emit({
    topic: 'payments',
    type,
    aggregateType: 'order',
    aggregateId: orderId,
    payload: { order_id: orderId, ...body },
  });
}

/**
 * `guarded: false` (`--without inbox`) drops every duplicate guard of this consumer: the state
 * check and the unique index. A redelivered StockReserved is then charged again, which is the
 * anomaly the no_double_charge check exists to catch.
 */
export function paymentHandlers(options: { compensation: boolean; guarded: boolean }): HandlerMap {
  return {
    users: {
      async UserRegistered(tx, event) {
        const user = payload(UserRegistered, event.payload);
        await tx.client.query('INSERT INTO accounts (customer_id) VALUES ($1) ON CONFLICT DO NOTHING', [
          user.user_id,
        ]);
      },
    },
    inventory: {
      async StockReserved(tx, event, log) {
        const reserved = payload(StockReserved, event.payload);
        const status = await lockPaymentOrder(tx.client, reserved.order_id);
        if (status === 'cancelled') return; // the cancel came first: never charge a cancelled order
        if (options.guarded && status !== 'pending') return;
        const debit = await tx.client.query<{ balance_cents: number }>(
          `UPDATE accounts SET balance_cents = balance_cents - $2, updated_at = now()
           WHERE customer_id = $1 AND balance_cents >= $2 RETURNING balance_cents`,
          [reserved.customer_id, reserved.amount_cents],
        );
        if (debit.rowCount === 0) {
          await setPaymentOrder(tx.client, reserved.order_id, 'declined', 'insufficient_funds');
          await paymentEvent(tx, 'PaymentDeclined', reserved.order_id, {
            customer_id: reserved.customer_id,
            amount_cents: reserved.amount_cents,
            reason: 'insufficient_funds',
          });
          log.info({ orderId: reserved.order_id }, 'payment declined');
          return;
        }
        const paymentId = randomUUID();
        await tx.client.query(
          `INSERT INTO payments (id, order_id, customer_id, kind, amount_cents, guarded) VALUES ($1, $2, $3, 'charge', $4, $5)`,
          [paymentId, reserved.order_id, reserved.customer_id, reserved.amount_cents, options.guarded],
        );
        await setPaymentOrder(tx.client, reserved.order_id, 'captured');
        await paymentEvent(tx, 'PaymentCaptured', reserved.order_id, {
          customer_id: reserved.customer_id,
          payment_id: paymentId,
          amount_cents: reserved.amount_cents,
        });
      },
    },
    orders: {
      async OrderCancelled(tx, event, log) {
        const cancelled = payload(OrderCancelled, event.payload);
        const status = await lockPaymentOrder(tx.client, cancelled.order_id);
        if (status === 'pending') {
          await setPaymentOrder(tx.client, cancelled.order_id, 'cancelled', cancelled.reason);
          return;
        }
        if (status !== 'captured') return;
        if (!options.compensation) {
          log.warn({ orderId: cancelled.order_id }, 'compensation is off: the charge is not refunded');
          return;
        }
        const { rows } = await tx.client.query<{ id: string; amount_cents: number }>(
          `SELECT id, amount_cents FROM payments WHERE order_id = $1 AND kind = 'charge'`,
          [cancelled.order_id],
        );
        for (const charge of rows) {
          const refundId = randomUUID();
          await tx.client.query(
            `INSERT INTO payments (id, order_id, customer_id, kind, amount_cents, guarded) VALUES ($1, $2, $3, 'refund', $4, $5)`,
            [refundId, cancelled.order_id, cancelled.customer_id, charge.amount_cents, options.guarded],
          );
          await tx.client.query(
            'UPDATE accounts SET balance_cents = balance_cents + $2, updated_at = now() WHERE customer_id = $1',
            [cancelled.customer_id, charge.amount_cents],
          );
          await paymentEvent(tx, 'PaymentRefunded', cancelled.order_id, {
            customer_id: cancelled.customer_id,
            payment_id: refundId,
            amount_cents: charge.amount_cents,
          });
        }
        await setPaymentOrder(tx.client, cancelled.order_id, 'refunded', cancelled.reason);
      },
    },
  };
}
