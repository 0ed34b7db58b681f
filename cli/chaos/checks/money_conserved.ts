/**
 * money_conserved: for the run's customers, money neither appeared nor vanished:
 * - the credits (top-ups) equal the starting balances the setup gave;
 * - sum(top-ups) = sum(balances) + sum(charges) - sum(refunds) (payment's ledger balances);
 * - no balance is negative.
 */
import { formatMoney } from '../units.ts';
import { type Check, evidence } from './types.ts';

export const moneyConserved: Check = async (context) => {
  const customers = context.scope.customerIds;
  const { rows } = await context.databases.payment.query<{
    top_ups: number;
    balances: number;
    charges: number;
    refunds: number;
    accounts: number;
  }>(
    `SELECT (SELECT coalesce(sum(amount_cents), 0) FROM top_ups WHERE customer_id::text = ANY($1::text[]))::float8 AS top_ups,
            (SELECT coalesce(sum(balance_cents), 0) FROM accounts WHERE customer_id::text = ANY($1::text[]))::float8 AS balances,
            (SELECT count(*) FROM accounts WHERE customer_id::text = ANY($1::text[]))::int AS accounts,
            (SELECT coalesce(sum(amount_cents), 0) FROM payments WHERE kind = 'charge' AND customer_id::text = ANY($1::text[]))::float8 AS charges,
            (SELECT coalesce(sum(amount_cents), 0) FROM payments WHERE kind = 'refund' AND customer_id::text = ANY($1::text[]))::float8 AS refunds`,
    [customers],
  );
  const totals = rows[0]!;
  const { rows: negative } = await context.databases.payment.query<Record<string, unknown>>(
    `SELECT customer_id::text, balance_cents::float8 AS balance_cents FROM accounts
      WHERE customer_id::text = ANY($1::text[]) AND balance_cents < 0`,
    [customers],
  );
  const problems: Array<Record<string, unknown>> = [];
  if (totals.accounts !== customers.length)
    problems.push({ problem: 'accounts missing', expected: customers.length, found: totals.accounts });
  if (totals.top_ups !== context.scope.initialBalanceCents)
    problems.push({
      problem: 'credits differ from the starting balances',
      starting_balances: formatMoney(context.scope.initialBalanceCents),
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
  for (const row of negative) problems.push({ problem: 'negative balance', ...row });
  if (problems.length === 0)
    return {
      verdict: 'valid',
      summary: `${formatMoney(totals.top_ups)} in = ${formatMoney(totals.balances)} balances + ${formatMoney(totals.charges - totals.refunds)} net charges`,
      evidence: evidence([]),
    };
  return {
    verdict: 'invalid',
    summary: problems.map((problem) => problem.problem).join('; '),
    evidence: evidence(problems),
  };
};
