import { randomUUID } from 'node:crypto';
import { payload, StockReserved } from '../kit/contracts.ts';
import type { FastHandlerMap } from '../kit/fast/consumer.ts';
import { announceCharge, chargeLocked, chargeParams, type PaymentOptions } from './handlers.ts';

/**
 * The fast kit's form of payment's charge decision (handlers.ts, StockReserved), used only by
 * `--kit fast`. The usual StockReserved, for an order payment has not heard of, in one statement: the
 * payment_orders row is inserted with the outcome (captured, or declined: insufficient_funds) and,
 * if captured, the account is debited and the charge recorded. `status` is null, with nothing
 * changed, when the order has a row already (a copy of the event, a cancel that came first): the
 * caller then locks that row and decides as the plain form does.
 *
 * - `account` locks the customer's account first (FOR UPDATE answers its latest balance, and the
 *   debit's re-check then sees that same version: no lost update with a concurrent charge), which
 *   is the order the plain form's lockPaymentOrder keeps too. It takes no lock when the snapshot already has the
 *   order's row: that caller goes on to lockPaymentOrder anyway.
 * - `claimed` is INSERT .. ON CONFLICT DO NOTHING: a row committed or being inserted by another
 *   transaction makes it insert nothing, and then nothing is debited or charged.
 */
const CLAIM_AND_CHARGE = `
  WITH account AS MATERIALIZED (
    SELECT balance_cents FROM accounts
    WHERE customer_id = $2::uuid AND NOT EXISTS (SELECT 1 FROM payment_orders WHERE order_id = $1::uuid)
    FOR UPDATE
  ),
  outcome AS (
    SELECT EXISTS (SELECT 1 FROM account WHERE balance_cents >= $3::bigint) AS covered
  ),
  claimed AS (
    INSERT INTO payment_orders (order_id, status, reason)
    SELECT $1::uuid, CASE WHEN covered THEN 'captured' ELSE 'declined' END,
           CASE WHEN covered THEN NULL ELSE 'insufficient_funds' END
    FROM outcome
    ON CONFLICT (order_id) DO NOTHING
    RETURNING status
  ),
  debit AS (
    UPDATE accounts SET balance_cents = balance_cents - $3::bigint, updated_at = now()
    WHERE customer_id = $2::uuid AND balance_cents >= $3::bigint
      AND EXISTS (SELECT 1 FROM claimed WHERE status = 'captured')
    RETURNING customer_id
  ),
  charge AS (
    INSERT INTO payments (id, order_id, customer_id, kind, amount_cents, guarded)
    SELECT $4::uuid, $1::uuid, customer_id, 'charge', $3::bigint, $5::boolean FROM debit
  )
  SELECT (SELECT status FROM claimed) AS status`;

export function fastPaymentHandlers(options: PaymentOptions): FastHandlerMap {
  return {
    inventory: {
      async StockReserved(tx, event, log) {
        const reserved = payload(StockReserved, event.payload);
        const paymentId = randomUUID();
        const { rows } = await tx.client.query<{ status: string | null }>(
          CLAIM_AND_CHARGE,
          chargeParams(reserved, paymentId, options),
        );
        const claimed = rows[0]!.status;
        // The order has a row already: lock it and decide from its status, as the plain form does.
        const captured =
          claimed === null ? await chargeLocked(tx, reserved, paymentId, options) : claimed === 'captured';
        if (captured !== undefined) await announceCharge(tx, reserved, paymentId, captured, log);
      },
    },
  };
}
