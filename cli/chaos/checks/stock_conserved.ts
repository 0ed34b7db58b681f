/**
 * stock_conserved: for each of the run's products, no unit appeared or vanished (every unit is the
 * setup's stock or came out of the oven, announced by StockProduced), the units that left sale are
 * exactly the ones announced (StockExpired, StockDiscarded), the units sold are exactly the units
 * the CONFIRMED orders bought, and no stale unit was sold (no_stale_sold says which).
 */
import type { RunSnapshot } from '../capture.ts';
import { staleSales } from './no_stale_sold.ts';
import { countInto, runOrders, soldByProduct } from './scope.ts';
import { type CheckDefinition, invalid, valid } from './types.ts';

const ANNOUNCED = {
  StockProduced: 'produced',
  StockExpired: 'expired',
  StockDiscarded: 'discarded',
} as const;
type Announced = (typeof ANNOUNCED)[keyof typeof ANNOUNCED];

/** Units per product and kind that inventory's events announced during the run. */
function announcedUnits(snapshot: RunSnapshot): Map<string, Record<Announced, number>> {
  const counts = new Map<string, Record<Announced, number>>();
  for (const row of snapshot.rows.inventory.outbox) {
    const kind = ANNOUNCED[row.type as keyof typeof ANNOUNCED];
    if (!kind) continue;
    const body = row.payload as { product_id: string; unit_ids: number[] };
    const entry = counts.get(body.product_id) ?? { produced: 0, expired: 0, discarded: 0 };
    entry[kind] += body.unit_ids.length;
    counts.set(body.product_id, entry);
  }
  return counts;
}

export const stockConserved: CheckDefinition = {
  name: 'stock_conserved',
  description:
    'no stock unit appeared or vanished (setup stock + produced = all units), expired and discarded units are the ones announced, units sold = units the confirmed orders bought, and no stale unit was sold',
  run: (context) => {
    const { scope, rows } = context.snapshot;
    const total = new Map<string, number>();
    const byStatus = new Map<string, number>();
    for (const unit of rows.inventory.stock_units) {
      countInto(total, unit.product_id);
      countInto(byStatus, `${unit.product_id}:${unit.status}`);
    }
    const staleSold = new Map<string, number>();
    for (const sale of staleSales(context.snapshot)) countInto(staleSold, sale.sku);
    const announced = announcedUnits(context.snapshot);
    const bought = soldByProduct(runOrders(context.snapshot));
    const problems: Array<Record<string, unknown>> = [];
    let produced = 0;
    let gone = 0;
    for (const product of scope.products) {
      const expectedSold = bought.get(product.id) ?? 0;
      const base = { sku: product.sku, product_id: product.id };
      const events = announced.get(product.id) ?? { produced: 0, expired: 0, discarded: 0 };
      const now = total.get(product.id) ?? 0;
      const count = (status: string) => byStatus.get(`${product.id}:${status}`) ?? 0;
      produced += events.produced;
      gone += count('expired') + count('discarded');
      if (now !== product.initialUnits + events.produced)
        problems.push({
          ...base,
          problem: 'units appeared or vanished',
          initial: product.initialUnits,
          produced: events.produced,
          now,
        });
      for (const status of ['expired', 'discarded'] as const)
        if (count(status) !== events[status])
          problems.push({
            ...base,
            problem: `${status} units differ from the announced`,
            [status]: count(status),
            announced: events[status],
          });
      if (count('sold') !== expectedSold)
        problems.push({
          ...base,
          problem: 'units sold differ from what confirmed orders bought',
          sold: count('sold'),
          confirmed_quantity: expectedSold,
        });
      const stale = staleSold.get(product.sku) ?? 0;
      if (stale > 0) problems.push({ ...base, problem: 'stale units sold', units: stale });
    }
    if (problems.length === 0) {
      const soldTotal = [...bought.values()].reduce((sum, units) => sum + units, 0);
      const bakery = produced + gone > 0 ? `, ${produced} produced, ${gone} expired or discarded` : '';
      return valid(
        `${scope.products.length} products: every unit accounted for, ${soldTotal} sold to confirmed orders${bakery}`,
      );
    }
    return invalid(
      [...new Set(problems.map((problem) => `${problem.problem} (${problem.sku})`))].join('; '),
      problems,
    );
  },
};
