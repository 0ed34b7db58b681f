import { setTimeout as sleep } from 'node:timers/promises';
import type { LabClock } from '../../common/clock.ts';
import type { PoolClient } from '../kit/db.ts';

/**
 * The shelf rule (docs/ARCHITECTURE.md "The bakery day"): a unit is handed to its order when it is
 * reserved, so it must be fresh then; what happens later (payment, confirmation) takes it off no
 * shelf. A unit is reservable while it has SELL_BY_MARGIN_LAB_MS of lab time left before it expires
 * or is thrown out, and at least what one real second is in lab time at a fast clock (at speed
 * 720 five lab minutes are 0.4 real seconds, less than a reservation under a slow database): the
 * lab instant the statement is given must still be before the unit's end when its row is locked.
 */
const SELL_BY_MARGIN_LAB_MS = 5 * 60_000;
const SELL_BY_MARGIN_REAL_MS = 1000;

export interface ShelfRule {
  clock: LabClock;
  /** `--without stale_guard` turns freshness off: stale units can then be sold (and are caught). */
  staleGuard: boolean;
}

/** The lab instant a decision is taken at, and the end of shelf life a unit must be past to be sold. */
export interface Freshness {
  labNow: Date;
  /** null: no freshness demanded (stale guard off). */
  sellableUntilAfter: Date | null;
}

export function shelfRule(config: { clock: LabClock; without: ReadonlySet<string> }): ShelfRule {
  return { clock: config.clock, staleGuard: !config.without.has('stale_guard') };
}

export function freshness(rule: ShelfRule): Freshness {
  const labNow = rule.clock.labMs();
  const margin = Math.max(SELL_BY_MARGIN_LAB_MS, SELL_BY_MARGIN_REAL_MS * rule.clock.speed);
  return {
    labNow: new Date(labNow),
    sellableUntilAfter: rule.staleGuard ? new Date(labNow + margin) : null,
  };
}

/** SQL: the unit is sellable at freshness $4 (null: any). */
export const SELLABLE = `($4::timestamptz IS NULL OR ((expires_at IS NULL OR expires_at > $4) AND (discard_at IS NULL OR discard_at > $4)))`;

export type Reservation = { ok: true; units: number[] } | { ok: false; productId: string };

/**
 * Reservation in one statement, so one round trip whatever the number of products:
 *
 * - `picked` locks, per product (in the caller's fixed order), the oldest sellable units with FOR
 *   UPDATE SKIP LOCKED: concurrent reservations take different units instead of queueing on the
 *   same oldest rows; a unit locked by another transaction is either taken by it or, if it rolls
 *   back, free for the next order. Plain FOR UPDATE would be worse: after waiting, the re-checked
 *   row no longer matches and LIMIT returns too few rows, rejecting an order while stock exists.
 * - `short` is the first product with fewer sellable units than wanted.
 * - `recorded` writes the outcome (reserved, or rejected: insufficient_stock) on the order's
 *   `reservations` row: `record` below says how.
 * - `reserved` marks the picked units only when no product is short (and only if `gate` holds): all or nothing, without an error or a savepoint to undo half a
 *   reservation (an error would roll back everything else the caller's transaction did). Units
 *   picked and not marked stay available; their row locks go with the transaction.
 */
export function reserveStatement(record: { cte: string; gate: string }): string {
  return `
  WITH wanted AS (
    SELECT product_id, quantity, n FROM unnest($2::uuid[], $3::int[]) WITH ORDINALITY AS w(product_id, quantity, n)
  ),
  picked AS MATERIALIZED (
    SELECT w.n, unit.id, unit.produced_at
    FROM wanted w
    CROSS JOIN LATERAL (
      SELECT id, produced_at FROM stock_units
      WHERE product_id = w.product_id AND status = 'available' AND ${SELLABLE}
      ORDER BY produced_at, id
      LIMIT w.quantity
      FOR UPDATE SKIP LOCKED
    ) unit
  ),
  short AS (
    SELECT w.product_id FROM wanted w
    WHERE (SELECT count(*) FROM picked p WHERE p.n = w.n) < w.quantity
    ORDER BY w.n
    LIMIT 1
  ),
  recorded AS (${record.cte}),
  reserved AS (
    UPDATE stock_units SET status = 'reserved', order_id = $1, reserved_at = $5
    -- = ANY(ARRAY(..)): a primary key lookup per unit, whatever the planner guesses picked's size is
    WHERE id = ANY (ARRAY(SELECT id FROM picked)) AND NOT EXISTS (SELECT 1 FROM short)${record.gate}
    RETURNING id
  )
  SELECT (SELECT product_id FROM short) AS short_product,
         ARRAY(SELECT p.id FROM picked p WHERE p.id IN (SELECT id FROM reserved) ORDER BY p.n, p.produced_at, p.id) AS units,
         EXISTS (SELECT 1 FROM recorded) AS recorded`;
}

export const OUTCOME = `CASE WHEN EXISTS (SELECT 1 FROM short) THEN 'rejected' ELSE 'reserved' END`;
export const REASON = `CASE WHEN EXISTS (SELECT 1 FROM short) THEN 'insufficient_stock' END`;

/** The caller holds the order's reservations row (or has none): update it. */
const RESERVE = reserveStatement({
  cte: `
    UPDATE reservations SET status = ${OUTCOME}, reason = ${REASON}, updated_at = now()
    WHERE order_id = $1 RETURNING order_id`,
  gate: '',
});

function wantedProducts(lines: Array<{ product_id: string; quantity: number }>) {
  const wanted = new Map<string, number>();
  for (const line of lines) wanted.set(line.product_id, (wanted.get(line.product_id) ?? 0) + line.quantity);
  // A fixed product order keeps two multi-product reservations from locking in opposite orders.
  return [...wanted].sort(([a], [b]) => a.localeCompare(b));
}

export async function runReservation(
  client: PoolClient,
  statement: string,
  orderId: string,
  lines: Array<{ product_id: string; quantity: number }>,
  fresh: Freshness,
): Promise<{ reservation: Reservation; recorded: boolean }> {
  const products = wantedProducts(lines);
  const { rows } = await client.query<{ short_product: string | null; units: string[]; recorded: boolean }>(
    statement,
    [
      orderId,
      products.map(([productId]) => productId),
      products.map(([, quantity]) => quantity),
      fresh.sellableUntilAfter,
      fresh.labNow,
    ],
  );
  const row = rows[0]!;
  const reservation: Reservation =
    row.short_product !== null
      ? { ok: false, productId: row.short_product }
      : // pg answers bigint[] as strings (only the scalar int8 has the kit's number parser).
        { ok: true, units: row.units.map(Number) };
  return { reservation, recorded: row.recorded };
}

/**
 * Picks the oldest sellable units of every product and marks them reserved for the order, or
 * nothing at all if any product is short; the outcome (`reserved`, or `rejected` with reason
 * `insufficient_stock`) goes on the order's reservations row when there is one.
 *
 * Sellable = available and fresh by the shelf rule at the lab instant of the attempt.
 */
export async function reserveUnits(
  client: PoolClient,
  orderId: string,
  lines: Array<{ product_id: string; quantity: number }>,
  rule: ShelfRule,
): Promise<Reservation> {
  for (let attempt = 1; ; attempt++) {
    const fresh = freshness(rule);
    const { reservation } = await runReservation(client, RESERVE, orderId, lines, fresh);
    if (reservation.ok || attempt === SKIPPED_UNITS_ATTEMPTS) return reservation;
    if (!(await enoughIfUnlocked(client, reservation.productId, lines, fresh))) return reservation;
    // Units another reservation had locked (SKIP LOCKED passed them by): it may take them or let
    // them go; the next statement sees its commit. Re-running changes only this order's rows.
    await sleep(SKIPPED_UNITS_WAIT_MS * attempt);
  }
}

/**
 * A product short only because SKIP LOCKED passed over units another transaction had locked
 * (an order wanting more than there is locks them all and then lets them go) is tried again a
 * few times before the order is rejected while stock exists.
 */
const SKIPPED_UNITS_ATTEMPTS = 5;
const SKIPPED_UNITS_WAIT_MS = 20;

/** Whether the product has enough sellable units when locked ones count too. */
export async function enoughIfUnlocked(
  client: PoolClient,
  productId: string,
  lines: Array<{ product_id: string; quantity: number }>,
  fresh: Freshness,
): Promise<boolean> {
  const wanted = lines
    .filter((line) => line.product_id === productId)
    .reduce((sum, line) => sum + line.quantity, 0);
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM stock_units
     WHERE product_id = $1 AND status = 'available' AND ${SELLABLE.replaceAll('$4', '$2')}`,
    [productId, fresh.sellableUntilAfter],
  );
  return rows[0]!.n >= wanted;
}
