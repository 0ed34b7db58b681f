/**
 * no_stale_sold: no unit went to an order when it was stale or thrown out. A unit is handed over
 * when it is reserved (the shelf rule, docs/ARCHITECTURE.md "The bakery day"), so a sold unit is
 * stale when its reservation's lab instant is at or past its expiry or its closing time, or when
 * inventory also announced it expired or discarded (StockExpired / StockDiscarded): then it left
 * sale and was sold anyway. Every time in the evidence is lab time.
 */
import type { RunSnapshot, StockUnitRow } from '../capture.ts';
import { type CheckContext, type CheckDefinition, type CheckResult, invalid, valid } from './types.ts';

interface StaleSale {
  unit: number;
  order: string | null;
  sku: string;
  problem: string;
  reserved_at: string | null;
  sold_at: string | null;
  expires_at: string | null;
  discard_at: string | null;
  left_sale_at?: string;
}

function atOrAfter(instant: string | null, limit: string | null): boolean {
  return instant !== null && limit !== null && Date.parse(instant) >= Date.parse(limit);
}

/** Units the inventory announced off sale (expired or discarded), with the instant it said. */
function unitsOffSale(snapshot: RunSnapshot): Map<number, { type: string; at: string }> {
  const off = new Map<number, { type: string; at: string }>();
  for (const row of snapshot.rows.inventory.outbox) {
    if (row.type !== 'StockExpired' && row.type !== 'StockDiscarded') continue;
    const body = row.payload as { unit_ids?: number[]; expired_at?: string; discarded_at?: string };
    for (const unit of body.unit_ids ?? [])
      off.set(unit, { type: row.type, at: body.expired_at ?? body.discarded_at ?? row.created_at });
  }
  return off;
}

/** Every unit of the run sold (or held for an order) stale; shared with stock_conserved. */
export function staleSales(snapshot: RunSnapshot): StaleSale[] {
  const skus = new Map(snapshot.scope.products.map((product) => [product.id, product.sku]));
  const off = unitsOffSale(snapshot);
  const found: StaleSale[] = [];
  const sale = (unit: StockUnitRow, problem: string, extra: Partial<StaleSale> = {}): StaleSale => ({
    unit: unit.id,
    order: unit.order_id,
    sku: skus.get(unit.product_id) ?? unit.product_id,
    problem,
    reserved_at: unit.reserved_at,
    sold_at: unit.sold_at,
    expires_at: unit.expires_at,
    discard_at: unit.discard_at,
    ...extra,
  });
  for (const unit of snapshot.rows.inventory.stock_units) {
    if (unit.status !== 'sold' && unit.status !== 'reserved') continue;
    const handedOver = unit.reserved_at ?? unit.sold_at;
    if (atOrAfter(handedOver, unit.expires_at)) found.push(sale(unit, 'reserved after it expired'));
    else if (atOrAfter(handedOver, unit.discard_at)) found.push(sale(unit, 'reserved after closing'));
    const left = off.get(unit.id);
    if (left)
      found.push(
        sale(
          unit,
          left.type === 'StockExpired' ? 'sold after the sweep expired it' : 'sold after it was thrown out',
          {
            left_sale_at: left.at,
          },
        ),
      );
  }
  return found;
}

function judgeSales(context: CheckContext): Omit<CheckResult, 'name'> {
  const stale = staleSales(context.snapshot);
  const units = context.snapshot.rows.inventory.stock_units;
  const sold = units.filter((unit) => unit.status === 'sold').length;
  const gone = units.filter((unit) => unit.status === 'expired' || unit.status === 'discarded').length;
  if (stale.length === 0)
    return valid(`${sold} units sold, each fresh when reserved; ${gone} stale or left-over units never sold`);
  const orders = new Set(stale.map((sale) => sale.order));
  const problems = [...new Set(stale.map((sale) => sale.problem))].join('; ');
  return invalid(
    `${stale.length} stale units sold to ${orders.size} orders (${problems})`,
    stale as unknown as Array<Record<string, unknown>>,
  );
}

export const noStaleSold: CheckDefinition = {
  name: 'no_stale_sold',
  description:
    'no unit was reserved or sold stale, after its closing time, or after the sweep or the throw-out took it',
  run: judgeSales,
};
