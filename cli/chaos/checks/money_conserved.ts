/**
 * money_conserved: for the run's customers, money neither appeared nor vanished:
 * - the credits (top-ups) equal the starting balances the setup gave;
 * - sum(top-ups) = sum(balances) + sum(charges) - sum(refunds) (payment's ledger balances);
 * - no balance is negative.
 */
import { formatMoney } from '../units.ts';
import { type CheckDefinition, invalid, valid } from './types.ts';

export const moneyConserved: CheckDefinition = {
  name: 'money_conserved',
  description:
    'money neither appeared nor vanished: top-ups = balances + charges - refunds, and no balance is negative',
  run: (context) => {
    const { scope, rows } = context.snapshot;
    const customers = new Set(scope.customerIds);
    const ours = <R extends { customer_id: string }>(list: R[]) =>
      list.filter((row) => customers.has(row.customer_id));
    const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
    const accounts = ours(rows.payment.accounts);
    const payments = ours(rows.payment.payments);
    const totals = {
      top_ups: sum(ours(rows.payment.top_ups).map((row) => row.amount_cents)),
      balances: sum(accounts.map((row) => row.balance_cents)),
      charges: sum(payments.filter((row) => row.kind === 'charge').map((row) => row.amount_cents)),
      refunds: sum(payments.filter((row) => row.kind === 'refund').map((row) => row.amount_cents)),
    };
    const problems: Array<Record<string, unknown>> = [];
    if (accounts.length !== scope.customerIds.length)
      problems.push({
        problem: 'accounts missing',
        expected: scope.customerIds.length,
        found: accounts.length,
      });
    if (totals.top_ups !== scope.initialBalanceCents)
      problems.push({
        problem: 'credits differ from the starting balances',
        starting_balances: formatMoney(scope.initialBalanceCents),
        top_ups: formatMoney(totals.top_ups),
      });
    const accounted = totals.balances + totals.charges - totals.refunds;
    if (accounted !== totals.top_ups)
      problems.push({
        problem: 'ledger does not balance: top-ups != balances + charges - refunds',
        top_ups: formatMoney(totals.top_ups),
        balances: formatMoney(totals.balances),
        charges: formatMoney(totals.charges),
        refunds: formatMoney(totals.refunds),
        difference: formatMoney(totals.top_ups - accounted),
      });
    for (const row of accounts)
      if (row.balance_cents < 0)
        problems.push({
          problem: 'negative balance',
          customer_id: row.customer_id,
          balance_cents: row.balance_cents,
        });
    if (problems.length === 0)
      return valid(
        `${formatMoney(totals.top_ups)} in = ${formatMoney(totals.balances)} balances + ${formatMoney(totals.charges - totals.refunds)} net charges`,
      );
    return invalid(problems.map((problem) => problem.problem).join('; '), problems);
  },
};
