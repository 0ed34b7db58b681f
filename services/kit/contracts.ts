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
