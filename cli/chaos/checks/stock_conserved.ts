/**
 * stock_conserved: for each of the run's products, no unit appeared or vanished (available +
 * reserved + sold = the stock the setup added), the units sold are exactly the units the CONFIRMED
 * orders bought, and no stale unit (expired when sold) was sold.
 */
import { runOrders, soldByProduct } from './scope.ts';
import { type Check, evidence } from './types.ts';

export const stockConserved: Check = async (context) => {
  const products = context.scope.products;
  const { rows } = await context.databases.inventory.query<{
    product_id: string;
    total: number;
    available: number;
    reserved: number;
    sold: number;
    stale_sold: number;
  }>(
    `SELECT product_id::text, count(*)::int AS total,
            count(*) FILTER (WHERE status = 'available')::int AS available,
            count(*) FILTER (WHERE status = 'reserved')::int AS reserved,
            count(*) FILTER (WHERE status = 'sold')::int AS sold,
            count(*) FILTER (WHERE status = 'sold' AND expires_at IS NOT NULL AND expires_at <= coalesce(sold_at, reserved_at))::int AS stale_sold
       FROM stock_units WHERE product_id::text = ANY($1::text[]) GROUP BY product_id`,
    [products.map((product) => product.id)],
  );
  const counts = new Map(rows.map((row) => [row.product_id, row]));
  const bought = soldByProduct(await runOrders(context));
  const problems: Array<Record<string, unknown>> = [];
  for (const product of products) {
    const row = counts.get(product.id) ?? { total: 0, available: 0, reserved: 0, sold: 0, stale_sold: 0 };
    const expectedSold = bought.get(product.id) ?? 0;
    const base = { sku: product.sku, product_id: product.id };
    if (row.total !== product.initialUnits)
      problems.push({
        ...base,
        problem: 'units appeared or vanished',
        initial: product.initialUnits,
        now: row.total,
      });
    if (row.sold !== expectedSold)
      problems.push({
        ...base,
        problem: 'units sold differ from what confirmed orders bought',
        sold: row.sold,
        confirmed_quantity: expectedSold,
      });
    if (row.stale_sold > 0) problems.push({ ...base, problem: 'stale units sold', units: row.stale_sold });
  }
  if (problems.length === 0) {
    const sold = [...bought.values()].reduce((sum, units) => sum + units, 0);
    return {
      verdict: 'valid',
      summary: `${products.length} products: every unit accounted for, ${sold} sold to confirmed orders`,
      evidence: evidence([]),
    };
  }
  return {
    verdict: 'invalid',
    summary: [...new Set(problems.map((problem) => `${problem.problem} (${problem.sku})`))].join('; '),
    evidence: evidence(problems),
  };
};
