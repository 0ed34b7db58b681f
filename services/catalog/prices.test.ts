import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type ServiceDatabase, withServiceDatabase } from '../../test/services-support.ts';
import type { BakeSchedule } from '../kit/contracts.ts';
import { priceTicker, setSchedule } from './prices.ts';

let database: ServiceDatabase;
withServiceDatabase('catalog', {}, (started) => {
  database = started;
});

const at = (time: string) => Date.parse(`2026-12-03T${time}:00.000Z`);
const schedule = (discount_percent: number, discount_from: string | null): BakeSchedule => ({
  every_minutes: 30,
  batch: 5,
  shelf_life_minutes: null,
  discount_percent,
  discount_from,
  opens: '06:00',
  closes: '18:00',
});

async function priceEvents(productId: string) {
  const { rows } = await database.pool.query<{ type: string; payload: Record<string, unknown> }>(
    `SELECT type, payload FROM outbox WHERE aggregateid = $1 AND type = 'PriceChanged' ORDER BY created_at, id`,
    [productId],
  );
  return rows.map((row) => [row.payload.reason, row.payload.price_cents, row.payload.discount_percent]);
}

async function discountActive(productId: string): Promise<boolean> {
  const { rows } = await database.pool.query<{ discount_active: boolean }>(
    'SELECT discount_active FROM products WHERE id = $1',
    [productId],
  );
  return rows[0]!.discount_active;
}

describe('prices follow the schedule', () => {
  it('a schedule edit inside the window announces the new price; the ticker only the edges after it', async () => {
    const id = randomUUID();
    await database.pool.query('INSERT INTO products (id, sku, name, price_cents) VALUES ($1, $2, $2, 1000)', [
      id,
      `bread-${id.slice(0, 8)}`,
    ]);
    const meta = { correlationId: 'test', causationId: 'test' };
    const set = (next: BakeSchedule, time: string) =>
      database.reference.transaction(meta, (tx) =>
        setSchedule(tx, { productId: id, schedule: next, labNowMs: at(time) }),
      );
    const tick = priceTicker({ pool: database.pool, writer: database.reference });

    // Outside the window the price in force stays the list price: nothing to announce.
    expect(await set(schedule(20, '17:00'), '12:00')).toBe(true);
    await tick(at('12:05'));
    expect(await priceEvents(id)).toEqual([]);

    await tick(at('17:10'));
    expect(await priceEvents(id)).toEqual([['discount_started', 800, 20]]);

    // A deeper discount set inside the window changes the price at once, and only once.
    await set(schedule(50, '17:00'), '17:20');
    await tick(at('17:25'));
    expect(await priceEvents(id)).toEqual([
      ['discount_started', 800, 20],
      ['schedule_set', 500, 50],
    ]);
    expect(await discountActive(id)).toBe(true);

    // The discount taken away inside the window: back to the list price; the ticker has no edge left.
    await set(schedule(50, null), '17:30');
    await tick(at('17:35'));
    await tick(at('18:05'));
    expect(await priceEvents(id)).toEqual([
      ['discount_started', 800, 20],
      ['schedule_set', 500, 50],
      ['schedule_set', 1000, 0],
    ]);
    expect(await discountActive(id)).toBe(false);
  });

  it('an unknown product is refused', async () => {
    const found = await database.reference.transaction({ correlationId: 't', causationId: 't' }, (tx) =>
      setSchedule(tx, { productId: randomUUID(), schedule: schedule(10, '17:00'), labNowMs: at('12:00') }),
    );
    expect(found).toBe(false);
  });
});
