/**
 * The search projection: the read side of CQRS, built only from the catalog and inventory topics.
 *
 * Pattern: an event-sourced read model. Each event is applied through the kit's consumer and inbox
 * (one transaction: inbox row, then the handler below), so a redelivered event changes nothing.
 * The store keeps FACTS, not derived state:
 *   - per product: what its latest catalog event said (name, price in force, list price, discount);
 *   - per unit: produced (with produced_at/expires_at), expired, discarded, each set once;
 *   - per (unit, order): reserved, released, consumed, each set once.
 * Whether a unit is available is decided when a query runs, from the facts and the lab clock:
 *   available = produced, not expired, not discarded, still fresh at lab `now`
 *               (expires_at null or later), and no hold on it that is reserved but neither
 *               released nor consumed, and no hold consumed (sold).
 *
 * Guarantee: the projected counts do not depend on the order events arrive in. Every fact is an
 * idempotent "set once" upsert, and the availability rule is a function of the set of facts, so
 * any interleaving of the same events gives the same rows. Catalog events of one product share a
 * partition (key: product id), so the last one applied is the one in force.
 *
 * Anomaly prevented: a status column ("available → reserved → available") updated in arrival
 * order. A unit's events travel on different partitions: StockProduced on the product's partition,
 * StockReserved/Released/Consumed on each order's. A reservation can overtake the StockProduced of
 * its unit, and when order A releases a unit that order B then reserves, B's StockReserved can
 * arrive before A's StockReleased. Applied as status changes, the first case loses the hold (the
 * late StockProduced resets the unit to available) and the second leaves a reserved unit
 * "available" (A's late release overwrites B's reservation): counts that never converge.
 */
import { z } from 'zod';
import type { EventHandler, HandlerMap } from '../kit/consumer.ts';
import {
  PriceChanged,
  ProductCreated,
  payload,
  StockConsumed,
  StockDiscarded,
  StockExpired,
  StockProduced,
  StockReleased,
  StockReserved,
} from '../kit/contracts.ts';
import type { IncomingEvent } from '../kit/events.ts';
import type { Tx } from '../kit/outbox.ts';

const instant = z.iso.datetime({ offset: true });

/**
 * StockAdded as inventory's seed endpoint sends it; `produced_at`/`expires_at` are read when the
 * producer includes them (seeded units carry no expiry otherwise).
 */
const SeededStock = z.object({
  product_id: z.uuid(),
  unit_ids: z.array(z.number().int()),
  produced_at: instant.optional(),
  expires_at: instant.nullable().optional(),
});

/** Records the partition offset this transaction applies (the exact half of the lag, lag.ts). */
async function recordOffset(tx: Tx, event: IncomingEvent): Promise<void> {
  await tx.client.query(
    `INSERT INTO projection_offsets (topic, partition, "offset", applied_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (topic, partition) DO UPDATE
       SET "offset" = GREATEST(projection_offsets."offset", excluded."offset"), applied_at = now()`,
    [event.topic, event.partition, event.offset],
  );
}

/** Wraps a fact's upsert so every applied event also records its offset. */
function applying(apply: (tx: Tx, event: IncomingEvent) => Promise<void>): EventHandler {
  return async (tx, event) => {
    await apply(tx, event);
    await recordOffset(tx, event);
  };
}

async function upsertProduct(
  tx: Tx,
  product: {
    product_id: string;
    sku?: string;
    name?: string;
    price_cents: number;
    list_price_cents: number;
    discount_percent: number;
  },
): Promise<void> {
  // A PriceChanged never comes before its product's ProductCreated (same partition); if it did,
  // the row waits with a placeholder name until the creation fills it in.
  await tx.client.query(
    `INSERT INTO products (product_id, sku, name, price_cents, list_price_cents, discount_percent)
     VALUES ($1::text::uuid, coalesce($2::text, $1::text), coalesce($3::text, $2::text, $1::text), $4, $5, $6)
     ON CONFLICT (product_id) DO UPDATE SET
       sku = coalesce($2::text, products.sku), name = coalesce($3::text, products.name),
       price_cents = $4, list_price_cents = $5, discount_percent = $6, updated_at = now()`,
    [
      product.product_id,
      product.sku ?? null,
      product.name ?? null,
      product.price_cents,
      product.list_price_cents,
      product.discount_percent,
    ],
  );
}

async function unitsProduced(
  tx: Tx,
  productId: string,
  unitIds: number[],
  producedAt: string | null,
  expiresAt: string | null,
): Promise<void> {
  await tx.client.query(
    `INSERT INTO units (unit_id, product_id, produced, produced_at, expires_at)
     SELECT unnest($2::bigint[]), $1, true, $3, $4
     ON CONFLICT (unit_id) DO UPDATE SET
       produced = true, produced_at = excluded.produced_at, expires_at = excluded.expires_at`,
    [productId, unitIds, producedAt, expiresAt],
  );
}

/** Sets a "once set, stays set" time column (expired_at, discarded_at) on units, creating them if unseen. */
async function unitsMarked(
  tx: Tx,
  column: 'expired_at' | 'discarded_at',
  productId: string,
  unitIds: number[],
  at: string,
): Promise<void> {
  await tx.client.query(
    `INSERT INTO units (unit_id, product_id, ${column})
     SELECT unnest($2::bigint[]), $1, $3
     ON CONFLICT (unit_id) DO UPDATE SET ${column} = coalesce(units.${column}, excluded.${column})`,
    [productId, unitIds, at],
  );
}

/** Sets one of a hold's facts (reserved, released, consumed) for every unit of an order's event. */
async function holdsMarked(
  tx: Tx,
  fact: 'reserved' | 'released' | 'consumed',
  orderId: string,
  unitIds: number[],
): Promise<void> {
  await tx.client.query(
    `INSERT INTO unit_holds (unit_id, order_id, ${fact})
     SELECT unnest($2::bigint[]), $1, true
     ON CONFLICT (unit_id, order_id) DO UPDATE SET ${fact} = true`,
    [orderId, unitIds],
  );
}

/** The projection's handlers: every event type of its two topics, each applied as facts. */
export function projectionHandlers(): HandlerMap {
  const recordOnly = applying(async () => {});
  return {
    catalog: {
      ProductCreated: applying(async (tx, event) => {
        const created = payload(ProductCreated, event.payload);
        await upsertProduct(tx, {
          ...created,
          list_price_cents: created.price_cents,
          discount_percent: 0,
        });
      }),
      PriceChanged: applying(async (tx, event) => {
        const changed = payload(PriceChanged, event.payload);
        await upsertProduct(tx, changed);
      }),
      // Schedules say how a product is baked, not what is on the shelf; its offset still counts.
      ProductScheduled: recordOnly,
    },
    inventory: {
      StockAdded: applying(async (tx, event) => {
        const added = payload(SeededStock, event.payload);
        await unitsProduced(
          tx,
          added.product_id,
          added.unit_ids,
          added.produced_at ?? null,
          added.expires_at ?? null,
        );
      }),
      StockProduced: applying(async (tx, event) => {
        const baked = payload(StockProduced, event.payload);
        await unitsProduced(tx, baked.product_id, baked.unit_ids, baked.produced_at, baked.expires_at);
      }),
      StockExpired: applying(async (tx, event) => {
        const expired = payload(StockExpired, event.payload);
        await unitsMarked(tx, 'expired_at', expired.product_id, expired.unit_ids, expired.expired_at);
      }),
      StockDiscarded: applying(async (tx, event) => {
        const discarded = payload(StockDiscarded, event.payload);
        await unitsMarked(
          tx,
          'discarded_at',
          discarded.product_id,
          discarded.unit_ids,
          discarded.discarded_at,
        );
      }),
      StockReserved: applying(async (tx, event) => {
        const reserved = payload(StockReserved, event.payload);
        await holdsMarked(tx, 'reserved', reserved.order_id, reserved.units);
      }),
      StockReleased: applying(async (tx, event) => {
        const released = payload(StockReleased, event.payload);
        await holdsMarked(tx, 'released', released.order_id, released.units);
      }),
      StockConsumed: applying(async (tx, event) => {
        const consumed = payload(StockConsumed, event.payload);
        await holdsMarked(tx, 'consumed', consumed.order_id, consumed.units);
      }),
      // A rejection holds no unit; its offset still counts, so the lag can reach zero.
      StockRejected: recordOnly,
    },
  };
}

/**
 * The availability rule of the opening comment, as SQL over `units u` at lab time `$now`
 * (the query's parameter named by `nowParam`).
 */
export function availableUnitSql(nowParam: string): string {
  return `u.produced AND u.expired_at IS NULL AND u.discarded_at IS NULL
    AND (u.expires_at IS NULL OR u.expires_at > ${nowParam})
    AND NOT EXISTS (
      SELECT 1 FROM unit_holds h
      WHERE h.unit_id = u.unit_id AND (h.consumed OR (h.reserved AND NOT h.released)))`;
}
