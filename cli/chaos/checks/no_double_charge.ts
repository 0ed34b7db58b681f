/** no_double_charge: no order was charged (or refunded) more than once. */
import { type Check, evidence } from './types.ts';

export const noDoubleCharge: Check = async (context) => {
  const { rows } = await context.databases.payment.query<{
    order_id: string;
    kind: string;
    count: number;
    amount_cents: number;
    payment_ids: string[];
  }>(
    `SELECT order_id::text, kind, count(*)::int AS count, sum(amount_cents)::float8 AS amount_cents,
            array_agg(id::text ORDER BY created_at) AS payment_ids
       FROM payments WHERE customer_id::text = ANY($1::text[])
      GROUP BY order_id, kind HAVING count(*) > 1 ORDER BY order_id, kind`,
    [context.scope.customerIds],
  );
  if (rows.length === 0)
    return { verdict: 'valid', summary: 'every order was charged at most once', evidence: evidence([]) };
  const charged = new Set(rows.filter((row) => row.kind === 'charge').map((row) => row.order_id));
  const refunded = new Set(rows.filter((row) => row.kind === 'refund').map((row) => row.order_id));
  const parts = [
    charged.size > 0 ? `${charged.size} orders charged more than once` : '',
    refunded.size > 0 ? `${refunded.size} orders refunded more than once` : '',
  ].filter(Boolean);
  return { verdict: 'invalid', summary: parts.join('; '), evidence: evidence(rows) };
};
