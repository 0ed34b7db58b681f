/** no_double_charge: no order was charged (or refunded) more than once. */
import { compareText } from './scope.ts';
import { type CheckDefinition, invalid, valid } from './types.ts';

export const noDoubleCharge: CheckDefinition = {
  name: 'no_double_charge',
  description: 'no order was charged, or refunded, more than once',
  run: (context) => {
    const customers = new Set(context.snapshot.scope.customerIds);
    const groups = new Map<
      string,
      { order_id: string; kind: string; count: number; amount_cents: number; payment_ids: string[] }
    >();
    // Payments arrive ordered by created_at, so each group's ids are in the order they were made.
    for (const payment of context.snapshot.rows.payment.payments) {
      if (!customers.has(payment.customer_id)) continue;
      const key = `${payment.order_id} ${payment.kind}`;
      const group = groups.get(key) ?? {
        order_id: payment.order_id,
        kind: payment.kind,
        count: 0,
        amount_cents: 0,
        payment_ids: [],
      };
      group.count++;
      group.amount_cents += payment.amount_cents;
      group.payment_ids.push(payment.id);
      groups.set(key, group);
    }
    const rows = [...groups.values()]
      .filter((group) => group.count > 1)
      .sort((a, b) => compareText(a.order_id, b.order_id) || compareText(a.kind, b.kind));
    if (rows.length === 0) return valid('every order was charged at most once');
    const charged = new Set(rows.filter((row) => row.kind === 'charge').map((row) => row.order_id));
    const refunded = new Set(rows.filter((row) => row.kind === 'refund').map((row) => row.order_id));
    const parts = [
      charged.size > 0 ? `${charged.size} orders charged more than once` : '',
      refunded.size > 0 ? `${refunded.size} orders refunded more than once` : '',
    ].filter(Boolean);
    return invalid(parts.join('; '), rows);
  },
};
