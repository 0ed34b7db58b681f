/**
 * stock_conserved: for each of the run's products, no unit appeared or vanished (available +
 * reserved + sold = the stock the setup added), the units sold are exactly the units the CONFIRMED
 * orders bought, and no stale unit (expired when sold) was sold.
 */
import { countInto, runOrders, soldByProduct } from './scope.ts';
import { type CheckDefinition, evidence } from './types.ts';

export const stockConserved: CheckDefinition = {
  name: 'stock_conserved',
  description:
    'no stock unit appeared or vanished, units sold = units the confirmed orders bought, and no stale unit was sold',
  run: (context) => {
    const { scope, rows } = context.snapshot;
    const total = new Map<string, number>();
    const sold = new Map<string, number>();
    const staleSold = new Map<string, number>();
    for (const unit of rows.inventory.stock_units) {
      countInto(total, unit.product_id);
      if (unit.status !== 'sold') continue;
      countInto(sold, unit.product_id);
      const soldAt = unit.sold_at ?? unit.reserved_at;
      if (unit.expires_at !== null && soldAt !== null && Date.parse(unit.expires_at) <= Date.parse(soldAt))
        countInto(staleSold, unit.product_id);
    }
    const bought = soldByProduct(runOrders(context.snapshot));
    const problems: Array<Record<string, unknown>> = [];
    for (const product of scope.products) {
      const expectedSold = bought.get(product.id) ?? 0;
      const base = { sku: product.sku, product_id: product.id };
      const now = total.get(product.id) ?? 0;
      const soldUnits = sold.get(product.id) ?? 0;
      const stale = staleSold.get(product.id) ?? 0;
      if (now !== product.initialUnits)
        problems.push({ ...base, problem: 'units appeared or vanished', initial: product.initialUnits, now });
      if (soldUnits !== expectedSold)
        problems.push({
          ...base,
          problem: 'units sold differ from what confirmed orders bought',
          sold: soldUnits,
          confirmed_quantity: expectedSold,
        });
      if (stale > 0) problems.push({ ...base, problem: 'stale units sold', units: stale });
    }
    if (problems.length === 0) {
      const soldTotal = [...bought.values()].reduce((sum, units) => sum + units, 0);
      return {
        verdict: 'valid',
        summary: `${scope.products.length} products: every unit accounted for, ${soldTotal} sold to confirmed orders`,
        evidence: evidence([]),
      };
    }
    return {
      verdict: 'invalid',
      summary: [...new Set(problems.map((problem) => `${problem.problem} (${problem.sku})`))].join('; '),
      evidence: evidence(problems),
    };
  },
};
