/**
 * Prices follow the day: catalog holds each product's declaration (list price and BakeSchedule),
 * a quote applies the discount from the lab clock synchronously, and a ticker publishes
 * PriceChanged when a discount window opens or closes (setSchedule when an edit changes the price
 * in force).
 *
 * Guarantee: the price a quote gives is a pure function of the declaration and the lab instant
 * of the quote (common/bakery.ts), so the order, the charge (the order's total) and any later
 * check agree on it; PriceChanged is written in the transaction that flips `discount_active`, so
 * each window edge is announced exactly once, even across restarts (a missed edge is announced by
 * the first tick after it).
 *
 * Anomaly prevented: a read side (search) showing one price while quotes charge another, the
 * window's edges missed or announced twice by a ticker that restarted.
 */
import { inDiscountWindow, priceAt } from '../../common/bakery.ts';
import type { BakeSchedule } from '../kit/contracts.ts';
import type { Pool } from '../kit/db.ts';
import type { EventWriter, Tx } from '../kit/outbox.ts';

export interface PricedProduct {
  id: string;
  /** The list price. */
  price_cents: number;
  schedule: BakeSchedule | null;
}

export function quotedPrice(product: PricedProduct, labNowMs: number): number {
  return priceAt(product.price_cents, product.schedule, labNowMs);
}

/**
 * Stores the product's schedule and announces it (ProductScheduled), and PriceChanged too when the
 * price in force at `labNowMs` changes with it (a discount edited inside its window); false when
 * there is no such product. `discount_active` follows the new schedule, so the ticker announces
 * only the window edges after it.
 */
export async function setSchedule(
  tx: Tx,
  options: { productId: string; schedule: BakeSchedule; labNowMs: number },
): Promise<boolean> {
  const { productId, schedule, labNowMs } = options;
  const { rows } = await tx.client.query<PricedProduct>(
    'SELECT id, price_cents, schedule FROM products WHERE id = $1 FOR UPDATE',
    [productId],
  );
  const before = rows[0];
  if (!before) return false;
  const active = inDiscountWindow(schedule, labNowMs);
  await tx.client.query('UPDATE products SET schedule = $2, discount_active = $3 WHERE id = $1', [
    productId,
    schedule,
    active,
  ]);
  await tx.emit({
    topic: 'catalog',
    type: 'ProductScheduled',
    aggregateType: 'product',
    aggregateId: productId,
    payload: { product_id: productId, schedule },
  });
  const after = { ...before, schedule };
  if (quotedPrice(after, labNowMs) !== quotedPrice(before, labNowMs))
    await emitPriceChanged(tx, after, labNowMs, 'schedule_set');
  return true;
}

/** PriceChanged for `product` as a quote at `labNowMs` prices it. */
function emitPriceChanged(
  tx: Tx,
  product: PricedProduct,
  labNowMs: number,
  reason: 'discount_started' | 'discount_ended' | 'schedule_set',
): Promise<unknown> {
  const discounted = product.schedule !== null && inDiscountWindow(product.schedule, labNowMs);
  return tx.emit({
    topic: 'catalog',
    type: 'PriceChanged',
    aggregateType: 'product',
    aggregateId: product.id,
    payload: {
      product_id: product.id,
      price_cents: quotedPrice(product, labNowMs),
      list_price_cents: product.price_cents,
      discount_percent: discounted ? product.schedule!.discount_percent : 0,
      reason,
    },
  });
}

interface WindowRow extends PricedProduct {
  discount_active: boolean;
}

/** One tick: every product whose discount window changed state since the last one gets its PriceChanged. */
export function priceTicker(options: {
  pool: Pool;
  writer: EventWriter;
}): (labNowMs: number) => Promise<void> {
  return async (labNowMs) => {
    const { rows } = await options.pool.query<WindowRow>(
      'SELECT id, price_cents, schedule, discount_active FROM products WHERE schedule IS NOT NULL ORDER BY id',
    );
    for (const product of rows) {
      const active = product.schedule !== null && inDiscountWindow(product.schedule, labNowMs);
      if (active === product.discount_active) continue;
      await options.writer.transaction({ correlationId: 'prices', causationId: 'prices' }, async (tx) => {
        const flipped = await tx.client.query(
          'UPDATE products SET discount_active = $2 WHERE id = $1 AND discount_active <> $2 RETURNING id',
          [product.id, active],
        );
        if (flipped.rows.length === 0) return;
        await emitPriceChanged(tx, product, labNowMs, active ? 'discount_started' : 'discount_ended');
      });
    }
  };
}
