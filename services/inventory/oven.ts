/**
 * The oven, the stale sweep and the throw-out: inventory's scheduler on the lab clock.
 *
 * Guarantee: what is baked, swept and thrown out is a function of the schedules and the lab time
 * only, each step is one transaction with its event in the outbox, and a unit that is reserved is
 * never taken off sale. The anomalies it prevents: a batch baked twice (after a restart, or two
 * ticks at once: a batch's lab instant is its primary key in oven_batches), a batch lost while
 * inventory was down (the next tick bakes every batch due since the last one, each with its own
 * produced_at), and a stale or closing-time unit sold in a race with a reservation (the sweep and
 * the throw-out update only rows still `available`: a reservation that locked the row first makes
 * the row no longer match when the sweep re-reads it after the lock, and a sweep that took it first
 * makes the reservation's SKIP LOCKED / status filter pass it by).
 */

import { batchesBetween, closingOf, expiryOf, sweepSlot } from '../../common/bakery.ts';
import { atTimeOfDay } from '../../common/clock.ts';
import { BakeSchedule } from '../kit/contracts.ts';
import type { Pool } from '../kit/db.ts';
import type { EventWriter, Tx } from '../kit/outbox.ts';
import { inventoryEvent } from './handlers.ts';

interface ScheduleRow {
  product_id: string;
  schedule: unknown;
  learned_at: Date;
  last_batch_at: Date | null;
}

export interface OvenOptions {
  pool: Pool;
  writer: EventWriter;
}

function productEvent(tx: Tx, type: string, productId: string, body: Record<string, unknown>) {
  return inventoryEvent(tx, type, { type: 'stock', id: productId }, { product_id: productId, ...body });
}

const CAUSE = { correlationId: 'oven', causationId: 'oven' };

/** Bakes every batch due by `labNow` that is not baked yet; answers how many units came out. */
async function bakeDue(options: OvenOptions, labNowMs: number): Promise<number> {
  const { rows } = await options.pool.query<ScheduleRow>(
    `SELECT s.product_id::text, s.schedule, s.learned_at,
            (SELECT max(batch_at) FROM oven_batches b WHERE b.product_id = s.product_id) AS last_batch_at
       FROM bake_schedules s ORDER BY s.product_id`,
  );
  let baked = 0;
  for (const row of rows) {
    const schedule = BakeSchedule.parse(row.schedule);
    // Today's batches from when the oven learned the schedule, after the last one baked.
    const from = Math.max(
      row.learned_at.getTime(),
      atTimeOfDay(labNowMs, 0),
      (row.last_batch_at?.getTime() ?? -Infinity) + 1,
    );
    for (const batchAt of batchesBetween(schedule, from, labNowMs))
      baked += await bakeBatch(options, row.product_id, schedule, batchAt);
  }
  return baked;
}

async function bakeBatch(options: OvenOptions, productId: string, schedule: BakeSchedule, batchAt: number) {
  return options.writer.transaction(CAUSE, async (tx) => {
    const claimed = await tx.client.query(
      `INSERT INTO oven_batches (product_id, batch_at, units) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING units`,
      [productId, new Date(batchAt), schedule.batch],
    );
    if (claimed.rows.length === 0) return 0;
    const expires = expiryOf(schedule, batchAt);
    const { rows } = await tx.client.query<{ id: number }>(
      `INSERT INTO stock_units (product_id, produced_at, expires_at, discard_at)
       SELECT $1, $2, $3, $4 FROM generate_series(1, $5) RETURNING id`,
      [
        productId,
        new Date(batchAt),
        expires === null ? null : new Date(expires),
        new Date(closingOf(schedule, batchAt)),
        schedule.batch,
      ],
    );
    await productEvent(tx, 'StockProduced', productId, {
      unit_ids: rows.map((row) => Number(row.id)).sort((a, b) => a - b),
      produced_at: new Date(batchAt).toISOString(),
      expires_at: expires === null ? null : new Date(expires).toISOString(),
    });
    return rows.length;
  });
}

/**
 * Takes off sale, as `status` (expired or discarded), every available unit whose `column` is past
 * `labNow`, one event per product; answers how many units left sale.
 */
async function takeOffSale(
  options: OvenOptions,
  labNowMs: number,
  kind: { status: 'expired' | 'discarded'; column: 'expires_at' | 'discard_at'; event: string; at: string },
): Promise<number> {
  const at = new Date(labNowMs);
  return options.writer.transaction(CAUSE, async (tx) => {
    const { rows } = await tx.client.query<{ product_id: string; ids: string[] }>(
      `WITH gone AS (
         UPDATE stock_units SET status = '${kind.status}', ${kind.status}_at = $1
         WHERE status = 'available' AND ${kind.column} <= $1 RETURNING id, product_id
       )
       SELECT product_id::text, array_agg(id ORDER BY id) AS ids FROM gone GROUP BY product_id ORDER BY product_id`,
      [at],
    );
    for (const row of rows)
      await productEvent(tx, kind.event, row.product_id, {
        unit_ids: row.ids.map(Number),
        [kind.at]: at.toISOString(),
      });
    return rows.reduce((sum, row) => sum + row.ids.length, 0);
  });
}

/** The stale sweep: units past their expiry leave sale (StockExpired). */
export function sweepStale(options: OvenOptions, labNowMs: number): Promise<number> {
  return takeOffSale(options, labNowMs, {
    status: 'expired',
    column: 'expires_at',
    event: 'StockExpired',
    at: 'expired_at',
  });
}

/** The throw-out: what is left at its day's closing goes (StockDiscarded). */
function throwOut(options: OvenOptions, labNowMs: number): Promise<number> {
  return takeOffSale(options, labNowMs, {
    status: 'discarded',
    column: 'discard_at',
    event: 'StockDiscarded',
    at: 'discarded_at',
  });
}

/** One tick of the bakery: bake what is due, throw out at closing, sweep on the quarter-hours. */
export function ovenTick(options: OvenOptions): (labNowMs: number) => Promise<void> {
  let lastSweep: number | undefined;
  return async (labNowMs) => {
    await bakeDue(options, labNowMs);
    await throwOut(options, labNowMs);
    const slot = sweepSlot(labNowMs);
    if (slot !== lastSweep) {
      await sweepStale(options, labNowMs);
      lastSweep = slot;
    }
  };
}
