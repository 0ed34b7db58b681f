import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { HandlerMap } from '../kit/consumer.ts';
import { OrderCancelled, payload, StockReserved, UserRegistered } from '../kit/contracts.ts';
import type { PoolClient } from '../kit/db.ts';
import type { Logger } from '../kit/log.ts';
import { orderStatusSetter } from '../kit/order-status.ts';
import type { Tx } from '../kit/outbox.ts';

/**
 * Locks the customer's account, then payment's row of the order (created 'pending' on first news of
 * it), and answers the order's status, in one statement: the no-op update of an existing row takes
 * its lock and returns its latest committed status, as SELECT ... FOR UPDATE would.
 *
 * Every handler that touches both locks the account first (the insert's input is the count of the
 * locked accounts, so it cannot run before): with one order per customer, no two transactions can
 * then wait for each other's rows, whichever of a charge, a copy of it or a cancel comes first.
 */
async function lockPaymentOrder(client: PoolClient, orderId: string, customerId: string): Promise<string> {
  const { rows } = await client.query<{ status: string }>(
    `WITH account AS MATERIALIZED (SELECT 1 FROM accounts WHERE customer_id = $2::uuid FOR UPDATE)
     INSERT INTO payment_orders (order_id, status)
     SELECT $1::uuid, 'pending' FROM (SELECT count(*) FROM account) AS locked
     ON CONFLICT (order_id) DO UPDATE SET status = payment_orders.status
     RETURNING status`,
    [orderId, customerId],
  );
  return rows[0]!.status;
}

const setPaymentOrder = orderStatusSetter('payment_orders');

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
 * The charge in one statement: debit the account if the balance covers it, record the charge, and
 * the order's outcome (captured, or declined: insufficient_funds). The unique index still refuses a
 * second guarded charge for the order.
 */
const CHARGE = `
  WITH debit AS (
    UPDATE accounts SET balance_cents = balance_cents - $3::bigint, updated_at = now()
    WHERE customer_id = $2::uuid AND balance_cents >= $3::bigint
    RETURNING customer_id
  ),
  charge AS (
    INSERT INTO payments (id, order_id, customer_id, kind, amount_cents, guarded)
    SELECT $4::uuid, $1::uuid, customer_id, 'charge', $3::bigint, $5::boolean FROM debit
  ),
  recorded AS (
    UPDATE payment_orders
    SET status = CASE WHEN EXISTS (SELECT 1 FROM debit) THEN 'captured' ELSE 'declined' END,
        reason = CASE WHEN EXISTS (SELECT 1 FROM debit) THEN NULL ELSE 'insufficient_funds' END,
        updated_at = now()
    WHERE order_id = $1
  )
  SELECT EXISTS (SELECT 1 FROM debit) AS captured`;

/** Refunds every charge of the order and credits the account, in one statement; answers the refunds. */
const REFUND = `
  WITH charges AS (
    SELECT amount_cents FROM payments WHERE order_id = $1::uuid AND kind = 'charge'
  ),
  refunds AS (
    INSERT INTO payments (id, order_id, customer_id, kind, amount_cents, guarded)
    SELECT gen_random_uuid(), $1::uuid, $2::uuid, 'refund', amount_cents, $4::boolean FROM charges
    RETURNING id, amount_cents
  ),
  credit AS (
    UPDATE accounts SET balance_cents = balance_cents + (SELECT sum(amount_cents) FROM charges), updated_at = now()
    WHERE customer_id = $2 AND EXISTS (SELECT 1 FROM charges)
  ),
  recorded AS (
    UPDATE payment_orders SET status = 'refunded', reason = $3, updated_at = now() WHERE order_id = $1
  )
  SELECT id, amount_cents FROM refunds`;

/**
 * `guarded: false` (`--without inbox`) drops every duplicate guard of this consumer: the state
 * check and the unique index. A redelivered StockReserved is then charged again, which is the
 * anomaly the no_double_charge check exists to catch.
 */
export interface PaymentOptions {
  compensation: boolean;
  guarded: boolean;
}

export type Reserved = z.infer<typeof StockReserved>;

/** CHARGE's (and CLAIM_AND_CHARGE's) parameters. */
export function chargeParams(reserved: Reserved, paymentId: string, options: PaymentOptions): unknown[] {
  return [reserved.order_id, reserved.customer_id, reserved.amount_cents, paymentId, options.guarded];
}

/**
 * The charge decision for an order whose payment row this transaction locks: undefined when there
 * is nothing to charge (cancelled first; guarded and already decided), else whether it was captured.
 */
export async function chargeLocked(
  tx: Tx,
  reserved: Reserved,
  paymentId: string,
  options: PaymentOptions,
): Promise<boolean | undefined> {
  const status = await lockPaymentOrder(tx.client, reserved.order_id, reserved.customer_id);
  if (status === 'cancelled') return undefined; // the cancel came first: never charge a cancelled order
  if (options.guarded && status !== 'pending') return undefined;
  const { rows } = await tx.client.query<{ captured: boolean }>(
    CHARGE,
    chargeParams(reserved, paymentId, options),
  );
  return rows[0]!.captured;
}

/** PaymentCaptured, or PaymentDeclined (insufficient_funds). */
export async function announceCharge(
  tx: Tx,
  reserved: Reserved,
  paymentId: string,
  captured: boolean,
  log: Logger,
): Promise<void> {
  if (!captured) {
    await paymentEvent(tx, 'PaymentDeclined', reserved.order_id, {
      customer_id: reserved.customer_id,
      amount_cents: reserved.amount_cents,
      reason: 'insufficient_funds',
    });
    log.info({ orderId: reserved.order_id }, 'payment declined');
    return;
  }
  await paymentEvent(tx, 'PaymentCaptured', reserved.order_id, {
    customer_id: reserved.customer_id,
    payment_id: paymentId,
    amount_cents: reserved.amount_cents,
  });
}

export function paymentHandlers(options: PaymentOptions): HandlerMap {
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
        const paymentId = randomUUID();
        const captured = await chargeLocked(tx, reserved, paymentId, options);
        if (captured !== undefined) await announceCharge(tx, reserved, paymentId, captured, log);
      },
    },
    orders: {
      async OrderCancelled(tx, event, log) {
        const cancelled = payload(OrderCancelled, event.payload);
        const status = await lockPaymentOrder(tx.client, cancelled.order_id, cancelled.customer_id);
        if (status === 'pending') {
          await setPaymentOrder(tx.client, cancelled.order_id, 'cancelled', cancelled.reason);
          return;
        }
        if (status !== 'captured') return;
        if (!options.compensation) {
          log.warn({ orderId: cancelled.order_id }, 'compensation is off: the charge is not refunded');
          return;
        }
        const { rows } = await tx.client.query<{ id: string; amount_cents: number }>(REFUND, [
          cancelled.order_id,
          cancelled.customer_id,
          cancelled.reason,
          options.guarded,
        ]);
        for (const refund of rows)
          await paymentEvent(tx, 'PaymentRefunded', cancelled.order_id, {
            customer_id: cancelled.customer_id,
            payment_id: refund.id,
            amount_cents: refund.amount_cents,
          });
      },
    },
  };
}
