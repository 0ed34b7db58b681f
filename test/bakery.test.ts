/**
 * The bakery day with real processes at a fast lab clock (speed 600: a lab minute is 0.1 real
 * seconds): the oven bakes on schedule, the sweep takes stale units off sale and they are never
 * reserved, quotes follow the discount window, and what is left at closing is thrown out. One
 * stack, one compressed day of 95 lab minutes, shared by every assertion.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabClock, labTimeOfDay, minutesOfDay } from '../common/clock.ts';
import { Api, type Body, Shop } from './services-stack.ts';
import { query, waitFor } from './services-support.ts';

const SPEED = 600;
const MINUTE = 60_000;
let shop: Shop;
let api: Api;
let clock: LabClock;
/** The day of the test: lab instants (epoch ms). */
let opens: number;
let discountFrom: number;
let closes: number;
const products: Record<'bread' | 'donut', { id: string; sku: string }> = {} as never;
let token: string;
const orders: Record<'early' | 'discounted', Body> = {} as never;

const hhmm = (ms: number) => labTimeOfDay(ms);

async function untilLab(ms: number): Promise<void> {
  const waitMs = clock.realMs(ms) - Date.now();
  if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
}

async function schedule(sku: string, body: Record<string, unknown>, priceCents: number) {
  const response = await api.request('POST', '/api/admin/products', {
    admin: true,
    body: { sku, price_cents: priceCents, schedule: body },
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body.product as { id: string; sku: string };
}

async function placeAndFinish(lines: Array<{ sku: string; quantity: number }>): Promise<Body> {
  const placed = await api.placeOrder(token, lines);
  expect(placed.status, JSON.stringify(placed.body)).toBe(202);
  return api.waitTerminal(token, placed.body.order.id);
}

beforeAll(async () => {
  // 01:00 lab: the stack's start-up (a few lab hours at this speed) stays on the same UTC day.
  clock = new LabClock({ speed: SPEED, startMs: Date.parse('2026-12-03T01:00:00Z'), epochMs: Date.now() });
  const env = clock.env();
  shop = await Shop.start({
    env: Object.fromEntries(
      ['auth', 'catalog', 'inventory', 'order', 'payment', 'shipping', 'gateway'].map((service) => [
        service,
        env,
      ]),
    ),
  });
  api = new Api(shop.gateway);
  // The day opens on the next lab ten minutes, a few real seconds from now.
  opens = Math.ceil((clock.labMs() + 8 * MINUTE) / (10 * MINUTE)) * 10 * MINUTE;
  discountFrom = opens + 60 * MINUTE;
  closes = opens + 90 * MINUTE;
  const day = { opens: hhmm(opens), closes: hhmm(closes) };
  const tag = randomUUID().slice(0, 6);
  products.bread = await schedule(
    `bread-${tag}`,
    {
      every_minutes: 30,
      batch: 5,
      shelf_life_minutes: null,
      discount_percent: 20,
      discount_from: hhmm(discountFrom),
      ...day,
    },
    450,
  );
  products.donut = await schedule(
    `donut-${tag}`,
    { every_minutes: 5, batch: 2, shelf_life_minutes: 20, discount_percent: 0, discount_from: null, ...day },
    120,
  );
  token = (await api.seedCustomer(`baker-${tag}@example.com`, 100_000)).token;
  // Before the window: list prices. Inside it: bread at 20% off.
  await untilLab(opens + 12 * MINUTE);
  orders.early = await placeAndFinish([
    { sku: products.bread.sku, quantity: 1 },
    { sku: products.donut.sku, quantity: 2 },
  ]);
  await untilLab(discountFrom + 5 * MINUTE);
  orders.discounted = await placeAndFinish([{ sku: products.bread.sku, quantity: 2 }]);
  // Past closing, and a tick or two for the throw-out.
  await untilLab(closes + 5 * MINUTE);
}, 240_000);

afterAll(async () => {
  await shop?.stop();
});

interface Unit {
  id: number;
  status: string;
  produced_at: Date;
  expires_at: Date | null;
  reserved_at: Date | null;
  expired_at: Date | null;
  discarded_at: Date | null;
}

const units = (productId: string) =>
  query<Unit>(
    shop.db('inventory'),
    `SELECT id::float8 AS id, status, produced_at, expires_at, reserved_at, expired_at, discarded_at
       FROM stock_units WHERE product_id = $1 ORDER BY id`,
    [productId],
  );

const outbox = (service: 'inventory' | 'catalog', type: string, productId: string) =>
  query<{ payload: Body }>(
    shop.db(service),
    `SELECT payload FROM outbox WHERE type = $1 AND aggregateid = $2 ORDER BY seq`,
    [type, productId],
  );

function batches(rows: Unit[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const row of rows)
    counts.set(row.produced_at.getTime(), (counts.get(row.produced_at.getTime()) ?? 0) + 1);
  return counts;
}

describe('the bakery day at a fast lab clock', () => {
  it('bakes each product on its schedule: batch units per interval, from opening to closing', async () => {
    const bread = batches(await units(products.bread.id));
    expect([...bread.entries()]).toEqual([0, 30, 60].map((minutes) => [opens + minutes * MINUTE, 5]));
    const donut = batches(await units(products.donut.id));
    expect([...donut.entries()]).toEqual(
      Array.from({ length: 18 }, (_, batch) => [opens + batch * 5 * MINUTE, 2]),
    );
    const produced = await outbox('inventory', 'StockProduced', products.donut.id);
    expect(produced).toHaveLength(18);
    expect(produced[1]!.payload).toMatchObject({
      produced_at: new Date(opens + 5 * MINUTE).toISOString(),
      expires_at: new Date(opens + 25 * MINUTE).toISOString(),
    });
  });

  it('sweeps stale units off sale on the quarter-hours, and never reserved one stale', async () => {
    const donuts = await units(products.donut.id);
    const expired = donuts.filter((unit) => unit.status === 'expired');
    // A sweep every quarter-hour: whatever went stale a quarter-hour before closing was swept
    // before closing (the rest was thrown out with the day's leftovers).
    const staleBeforeClosing = donuts.filter((unit) => unit.expires_at!.getTime() < closes - 15 * MINUTE);
    expect(staleBeforeClosing.length).toBeGreaterThan(10);
    for (const unit of staleBeforeClosing) expect(['expired', 'sold']).toContain(unit.status);
    for (const unit of expired) {
      expect(unit.expired_at!.getTime()).toBeGreaterThanOrEqual(unit.expires_at!.getTime());
      expect(unit.expired_at!.getTime() - unit.expires_at!.getTime()).toBeLessThanOrEqual(20 * MINUTE);
      // On the quarter-hour, give or take the ticks a busy machine is late by.
      expect(minutesOfDay(unit.expired_at!.getTime()) % 15).toBeLessThan(5);
    }
    const events = await outbox('inventory', 'StockExpired', products.donut.id);
    expect(events.flatMap((event) => event.payload.unit_ids).sort()).toEqual(
      expired.map((unit) => unit.id).sort(),
    );
    const sold = donuts.filter((unit) => unit.status === 'sold');
    expect(sold).toHaveLength(2);
    for (const unit of sold)
      expect(unit.reserved_at!.getTime()).toBeLessThan(unit.expires_at!.getTime() - 5 * MINUTE);
  });

  it('prices follow the day: list price before the window, the discount inside it, the charge agrees', async () => {
    expect(orders.early.order.status).toBe('CONFIRMED');
    expect(orders.early.order.total_cents).toBe(450 + 2 * 120);
    expect(orders.discounted.order.status).toBe('CONFIRMED');
    expect(orders.discounted.order.lines[0].unit_price_cents).toBe(360);
    const [charge] = await query<{ amount_cents: number }>(
      shop.db('payment'),
      `SELECT amount_cents::float8 AS amount_cents FROM payments WHERE order_id = $1 AND kind = 'charge'`,
      [orders.discounted.order.id],
    );
    expect(charge?.amount_cents).toBe(720);
    const changes = await outbox('catalog', 'PriceChanged', products.bread.id);
    expect(changes.map((change) => [change.payload.reason, change.payload.price_cents])).toEqual([
      ['discount_started', 360],
      ['discount_ended', 450],
    ]);
    // The donut declares no discount: no window, no PriceChanged.
    expect(await outbox('catalog', 'PriceChanged', products.donut.id)).toHaveLength(0);
    const listed = await api.request('GET', '/api/catalog/products');
    const bread = listed.body.products.find((product: Body) => product.id === products.bread.id);
    expect(bread).toMatchObject({
      price_cents: 450,
      current_price_cents: 450,
      schedule: { discount_percent: 20 },
    });
  });

  it('throws out what is left at closing, and announces it', async () => {
    await waitFor('the throw-out', async () => {
      const left = [...(await units(products.bread.id)), ...(await units(products.donut.id))];
      return left.every((unit) => unit.status !== 'available');
    });
    const bread = await units(products.bread.id);
    const discarded = bread.filter((unit) => unit.status === 'discarded');
    expect(discarded).toHaveLength(15 - 3);
    for (const unit of discarded) expect(unit.discarded_at!.getTime()).toBeGreaterThanOrEqual(closes);
    const events = await outbox('inventory', 'StockDiscarded', products.bread.id);
    expect(events.flatMap((event) => event.payload.unit_ids).sort()).toEqual(
      discarded.map((unit) => unit.id).sort(),
    );
    const stock = await api.request('GET', '/api/inventory/stock');
    const row = stock.body.stock.find((entry: Body) => entry.product_id === products.bread.id);
    expect(row).toMatchObject({ available: 0, sold: 3, discarded: 12 });
  });
});
