import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  applyPlain,
  type ServiceDatabase,
  startServiceDatabase,
  truncateAll,
} from '../../test/services-support.ts';
import type { IncomingEvent } from '../kit/events.ts';
import { mulberry32 } from '../kit/random.ts';
import { projectionHandlers } from './projection.ts';
import { searchParams, searchProducts } from './query.ts';

const log = pino({ level: 'silent' });
let database: ServiceDatabase;
const NOW = new Date('2026-12-03T12:00:00.000Z');
const handlers = projectionHandlers();

beforeAll(async () => {
  database = await startServiceDatabase('search');
});
afterAll(async () => {
  await database?.stop();
});
beforeEach(async () => {
  await truncateAll(database.url);
});

let offset = 0;
function event(topic: 'catalog' | 'inventory', type: string, key: string, payload: object): IncomingEvent {
  offset += 1;
  return {
    id: randomUUID(),
    type,
    topic,
    key,
    payload,
    headers: {},
    partition: offset % 3,
    offset: String(offset),
    occurredAt: new Date(),
  };
}

const created = (productId: string, sku: string, name: string, price: number) =>
  event('catalog', 'ProductCreated', productId, { product_id: productId, sku, name, price_cents: price });

const produced = (productId: string, unitIds: number[], producedAt: string, expiresAt: string | null) =>
  event('inventory', 'StockProduced', productId, {
    product_id: productId,
    unit_ids: unitIds,
    produced_at: producedAt,
    expires_at: expiresAt,
  });

async function apply(events: IncomingEvent[], form: 'plain' | 'fast'): Promise<void> {
  const writer = form === 'plain' ? database.reference : database.writer;
  for (const one of events) {
    const handler = handlers[one.topic as 'catalog' | 'inventory']?.[one.type];
    if (!handler) throw new Error(`no handler for ${one.type}`);
    await applyPlain(writer, handler, one, log);
  }
}

async function search(query: Record<string, string> = {}) {
  return searchProducts(database.pool, searchParams.parse(query), NOW);
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = mulberry32(seed);
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy;
}

/**
 * One unit's life on several partitions: u1 reserved by A, released, reserved by B (live);
 * u2 reserved by A and released; u3 reserved and sold by C; u4 expired; u5 produced already stale
 * at lab now; u6 and u7 fresh; u7 later discarded. Available: u2 and u6.
 */
function unitStory(productId: string) {
  const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
  const customer = randomUUID();
  const [bakedAt, evening] = ['2026-12-03T06:00:00.000Z', '2026-12-03T18:00:00.000Z'];
  return [
    created(productId, 'donut', 'Donut', 120),
    produced(productId, [1, 2, 3, 4], bakedAt, evening),
    produced(productId, [5], bakedAt, '2026-12-03T11:59:00.000Z'),
    produced(productId, [6, 7], bakedAt, evening),
    event('inventory', 'StockReserved', a, {
      order_id: a,
      customer_id: customer,
      units: [1, 2],
      amount_cents: 240,
    }),
    event('inventory', 'StockReleased', a, { order_id: a, units: [1, 2] }),
    event('inventory', 'StockReserved', b, {
      order_id: b,
      customer_id: customer,
      units: [1],
      amount_cents: 120,
    }),
    event('inventory', 'StockReserved', c, {
      order_id: c,
      customer_id: customer,
      units: [3],
      amount_cents: 120,
    }),
    event('inventory', 'StockConsumed', c, { order_id: c, units: [3] }),
    event('inventory', 'StockExpired', productId, {
      product_id: productId,
      unit_ids: [4],
      expired_at: '2026-12-03T10:00:00.000Z',
    }),
    event('inventory', 'StockDiscarded', productId, {
      product_id: productId,
      unit_ids: [7],
      discarded_at: '2026-12-03T11:00:00.000Z',
    }),
    event('catalog', 'PriceChanged', productId, {
      product_id: productId,
      price_cents: 96,
      list_price_cents: 120,
      discount_percent: 20,
      reason: 'discount_started',
    }),
  ];
}

describe('the projection', () => {
  for (const form of ['plain', 'fast'] as const)
    it(`gives the same counts whatever order a unit's events arrive in (${form} writer)`, async () => {
      const productId = randomUUID();
      const story = unitStory(productId);
      // Catalog events of one product share a partition: they keep their order in every shuffle.
      const catalog = story.filter((one) => one.topic === 'catalog');
      for (let seed = 1; seed <= 12; seed++) {
        await truncateAll(database.url);
        const inventory = shuffled(
          story.filter((one) => one.topic === 'inventory'),
          seed,
        );
        const at = seed % (inventory.length + 1);
        const order = [...inventory.slice(0, at), ...catalog, ...inventory.slice(at)];
        await apply(order, form);
        const { products } = await search();
        expect(products, `seed ${seed}: ${order.map((one) => one.type).join(', ')}`).toEqual([
          {
            id: productId,
            sku: 'donut',
            name: 'Donut',
            price_cents: 96,
            list_price_cents: 120,
            discount_percent: 20,
            available: 2,
          },
        ]);
      }
    });

  it('gives the same counts when every event is applied twice (each fact is set once)', async () => {
    const productId = randomUUID();
    const story = unitStory(productId);
    await apply([...story, ...story], 'plain');
    expect((await search()).products[0]?.available).toBe(2);
  });

  it('counts a unit as stale once lab now passes its expiry, with no event', async () => {
    const productId = randomUUID();
    await apply(
      [
        created(productId, 'bun', 'Bun', 50),
        produced(productId, [10, 11], '2026-12-03T06:00:00.000Z', '2026-12-03T12:30:00.000Z'),
      ],
      'plain',
    );
    expect((await search()).products[0]?.available).toBe(2);
    const later = await searchProducts(
      database.pool,
      searchParams.parse({}),
      new Date('2026-12-03T12:30:00.000Z'),
    );
    expect(later.products[0]?.available).toBe(0);
  });
});

describe('the search query', () => {
  async function seedMenu(): Promise<void> {
    const menu = [
      { sku: 'baguette', name: 'Baguette', price: 300, units: 5 },
      { sku: 'croissant', name: 'Butter croissant', price: 180, units: 0 },
      { sku: 'donut', name: 'Glazed donut', price: 120, units: 12 },
      { sku: 'rye', name: 'Rye bread', price: 450, units: 2 },
      { sku: 'sourdough', name: 'Sourdough bread', price: 520, units: 7 },
    ];
    let unit = 100;
    const events = menu.flatMap(({ sku, name, price, units }) => {
      const id = randomUUID();
      const ids = Array.from({ length: units }, () => unit++);
      return [
        event('catalog', 'ProductCreated', id, { product_id: id, sku, name, price_cents: price }),
        ...(units > 0
          ? [
              event('inventory', 'StockAdded', id, {
                product_id: id,
                units,
                first_unit_id: ids[0],
                unit_ids: ids,
              }),
            ]
          : []),
      ];
    });
    await apply(events, 'plain');
  }

  /** The skus an answer lists, in order, as one line. */
  const skus = async (query: Record<string, string>) =>
    (await search(query)).products.map((p) => p.sku).join(' ');

  it('filters by text, price range and stock, sorts both ways, pages', async () => {
    await seedMenu();
    expect(await skus({})).toEqual('baguette croissant donut rye sourdough');
    expect(await skus({ q: 'BREAD' })).toEqual('rye sourdough');
    expect(await skus({ q: '%' })).toEqual('');
    expect(await skus({ min_price: '180', max_price: '450' })).toEqual('baguette croissant rye');
    expect(await skus({ in_stock: 'true' })).toEqual('baguette donut rye sourdough');
    expect(await skus({ sort: 'price' })).toEqual('donut croissant baguette rye sourdough');
    expect(await skus({ sort: 'price', order: 'desc' })).toEqual('sourdough rye baguette croissant donut');
    expect(await skus({ sort: 'available' })).toEqual('donut sourdough baguette rye croissant');
    expect(await skus({ sort: 'name', order: 'desc' })).toEqual('sourdough rye donut croissant baguette');
    const page = await search({ sort: 'price', limit: '2', offset: '2' });
    expect(page.products.map((p) => p.sku)).toEqual(['baguette', 'rye']);
    expect(page).toMatchObject({ total: 5, limit: 2, offset: 2 });
    expect(page.products[0]).toMatchObject({
      price_cents: 300,
      list_price_cents: 300,
      discount_percent: 0,
      available: 5,
    });
    const past = await search({ limit: '2', offset: '10' });
    expect(past).toMatchObject({ products: [], total: 5 });
  });

  it('refuses bad parameters with a message naming them', () => {
    const message = (query: Record<string, string>) =>
      searchParams.safeParse(query).error?.issues[0]?.message;
    expect(message({ limit: '0' })).toBe('limit must be a whole number from 1 to 100');
    expect(message({ limit: '101' })).toBe('limit must be a whole number from 1 to 100');
    expect(message({ offset: '-1' })).toBe('offset must be a whole number from 0 to 100000');
    expect(message({ min_price: '1.5' })).toBe('min_price must be a whole number of cents >= 0');
    expect(message({ min_price: '500', max_price: '100' })).toBe('min_price must not be above max_price');
    expect(message({ sort: 'colour' })).toBe('sort must be name, price or available');
    expect(message({ order: 'up' })).toBe('order must be asc or desc');
    expect(message({ in_stock: 'yes' })).toBe('in_stock must be true or false');
    expect(searchParams.safeParse({ colour: 'red' }).success).toBe(false);
  });
});
