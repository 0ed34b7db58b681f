/**
 * read_model_converges: after settling, the search projection (the read side) equals its sources
 * for every product of the run: the name and the price in force catalog declares (its list price,
 * discounted inside its schedule's window at the snapshot's lab instant), and the units
 * inventory has available at the snapshot's lab instant (status available, not expired then).
 * A read side that was paused or slowed during the run must have caught up by now; one that lost
 * or misapplied events never does.
 */
import { priceAt } from '../../../common/bakery.ts';
import type { StockUnitRow } from '../capture.ts';
import { countInto } from './scope.ts';
import { type CheckDefinition, evidence } from './types.ts';

function availableAt(units: readonly StockUnitRow[], asOf: string): Map<string, number> {
  const now = Date.parse(asOf);
  const available = new Map<string, number>();
  for (const unit of units)
    if (unit.status === 'available' && (unit.expires_at === null || Date.parse(unit.expires_at) > now))
      countInto(available, unit.product_id);
  return available;
}

export const readModelConverges: CheckDefinition = {
  name: 'read_model_converges',
  description:
    'the search projection equals catalog (name, price in force) and inventory (available units, in lab time) for every product',
  optIn: true,
  run: (context) => {
    const { scope, rows } = context.snapshot;
    const projected = rows.search.products;
    const asOf = rows.search.as_of;
    const catalog = rows.catalog.products;
    if (!projected || !asOf || !catalog)
      return {
        verdict: 'unknown',
        summary: 'this run holds no search or catalog product rows (stored before the read side existed)',
        evidence: evidence([]),
      };
    const available = availableAt(rows.inventory.stock_units, asOf);
    const problems: Array<Record<string, unknown>> = [];
    for (const product of scope.products) {
      const source = catalog.find((row) => row.id === product.id);
      const read = projected.find((row) => row.id === product.id);
      const base = { product_id: product.id, sku: product.sku, as_of: asOf };
      if (!read) {
        problems.push({
          ...base,
          field: 'product',
          source: source ? 'in catalog' : 'absent',
          search: 'absent',
        });
        continue;
      }
      if (source && read.name !== source.name)
        problems.push({ ...base, field: 'name', source: source.name, search: read.name });
      const inForce = source && priceAt(source.price_cents, source.schedule ?? null, Date.parse(asOf));
      if (source && read.price_cents !== inForce)
        problems.push({ ...base, field: 'price_cents', source: inForce, search: read.price_cents });
      const stock = available.get(product.id) ?? 0;
      if (read.available !== stock)
        problems.push({ ...base, field: 'available', source: stock, search: read.available });
    }
    if (problems.length === 0)
      return {
        verdict: 'valid',
        summary: `search agrees with catalog and inventory on all ${scope.products.length} products (as of ${asOf})`,
        evidence: evidence([]),
      };
    const products = new Set(problems.map((problem) => problem.product_id)).size;
    return {
      verdict: 'invalid',
      summary: `search differs from its sources on ${products} of ${scope.products.length} products (${problems.length} fields)`,
      evidence: evidence(problems),
    };
  },
};
