import { z } from 'zod';

/**
 * Payload schemas of the event catalog (SCHEMA.md "Events"), shared by producers and consumers.
 * A consumer parses with them: a payload that does not match is poison (retried, dead-lettered).
 */

const id = z.uuid();
const cents = z.number().int();

export const OrderLine = z.object({
  product_id: id,
  sku: z.string(),
  quantity: z.number().int().positive(),
  unit_price_cents: cents.positive(),
});
export type OrderLine = z.infer<typeof OrderLine>;

export const UserRegistered = z.object({ user_id: id, email: z.string(), role: z.string() });
export const ProductCreated = z.object({
  product_id: id,
  sku: z.string(),
  name: z.string(),
  price_cents: cents,
});
export const StockAdded = z.object({
  product_id: id,
  units: z.number().int(),
  first_unit_id: z.number().int(),
  unit_ids: z.array(z.number().int()),
});

const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day "HH:MM"');
const instant = z.iso.datetime({ offset: true });

/**
 * How a product is baked and sold over a lab day (catalog holds it, inventory's oven follows it):
 * `batch` units every `every_minutes` from `opens` until `closes`, each lasting `shelf_life_minutes`
 * (null: the whole day); from `discount_from` until closing the price is `discount_percent` off;
 * at `closes` what is left is thrown out.
 */
export const BakeSchedule = z.object({
  every_minutes: z.number().positive(),
  batch: z.number().int().positive(),
  shelf_life_minutes: z.number().positive().nullable(),
  discount_percent: z.number().int().min(0).max(90),
  discount_from: timeOfDay.nullable(),
  opens: timeOfDay,
  closes: timeOfDay,
});
export type BakeSchedule = z.infer<typeof BakeSchedule>;

/** catalog: a product's schedule was set (key: product id). */
export const ProductScheduled = z.object({ product_id: id, schedule: BakeSchedule });
/** catalog: the price a quote gives changed: a discount window opened or closed, or a schedule edit changed it. */
export const PriceChanged = z.object({
  product_id: id,
  price_cents: cents.positive(),
  list_price_cents: cents.positive(),
  discount_percent: z.number().int().min(0).max(90),
  reason: z.enum(['discount_started', 'discount_ended', 'schedule_set']),
});
/** inventory: the oven baked a batch (key: product id); each unit is its own row. */
export const StockProduced = z.object({
  product_id: id,
  unit_ids: z.array(z.number().int()).min(1),
  produced_at: instant,
  expires_at: instant.nullable(),
});
/** inventory: the stale sweep took expired units off sale (key: product id). */
export const StockExpired = z.object({
  product_id: id,
  unit_ids: z.array(z.number().int()).min(1),
  expired_at: instant,
});
/** inventory: the end-of-day throw-out (key: product id). */
export const StockDiscarded = z.object({
  product_id: id,
  unit_ids: z.array(z.number().int()).min(1),
  discarded_at: instant,
});

export const OrderPlaced = z.object({
  order_id: id,
  customer_id: id,
  lines: z.array(OrderLine).min(1),
  total_cents: cents.positive(),
});
export const OrderConfirmed = z.object({ order_id: id, customer_id: id, total_cents: cents });
export const OrderCancelled = z.object({ order_id: id, customer_id: id, reason: z.string() });

export const StockReserved = z.object({
  order_id: id,
  customer_id: id,
  units: z.array(z.number().int()),
  amount_cents: cents.positive(),
});
export const StockRejected = z.object({
  order_id: id,
  customer_id: id,
  reason: z.string(),
  product_id: id.optional(),
});
export const StockReleased = z.object({ order_id: id, units: z.array(z.number().int()) });
export const StockConsumed = z.object({ order_id: id, units: z.array(z.number().int()) });

export const PaymentCaptured = z.object({
  order_id: id,
  customer_id: id,
  payment_id: id,
  amount_cents: cents,
});
export const PaymentDeclined = z.object({
  order_id: id,
  customer_id: id,
  amount_cents: cents,
  reason: z.string(),
});
export const PaymentRefunded = z.object({
  order_id: id,
  customer_id: id,
  payment_id: id,
  amount_cents: cents,
});
export const AccountCredited = z.object({ customer_id: id, amount_cents: cents, balance_cents: cents });

export const ShipmentScheduled = z.object({ order_id: id, customer_id: id, shipment_id: id });

/** Parses a payload; a mismatch throws (the consumer treats it as poison). */
export function payload<T>(schema: z.ZodType<T>, value: unknown): T {
  return schema.parse(value);
}
