/**
 * `lab seed`: the demo bakery a fresh `lab up` puts in the shop, so a learner can buy something
 * without finding the admin API first: a morning's stock on the shelves, and each product's bake
 * schedule, so the oven fills them over lab time (06:00-22:00 UTC, on discount the last half-hour;
 * `lab up --clock-speed 60` makes a lab hour a real minute). Idempotent: a product whose sku
 * exists is left as it is.
 * Customers need no seeding: anyone registered tops up their own account
 * (`POST /api/payment/account/top-up`).
 */
import type { Command } from 'commander';
import { infrastructureFailure } from '../../common/errors.ts';
import type { Endpoints } from '../runtime/types.ts';

export interface DemoProduct {
  sku: string;
  name: string;
  price_cents: number;
  stock: number;
  /** Bake every `every` lab minutes `batch` units lasting `shelf` lab minutes (null: the day). */
  bake: { every: number; batch: number; shelf: number | null; discount: number };
}

/** One product of the menu: its stock at seeding and how it is baked. */
function demo(
  sku: string,
  name: string,
  priceCents: number,
  stock: number,
  bake: DemoProduct['bake'],
): DemoProduct {
  return { sku, name, price_cents: priceCents, stock, bake };
}

export const DEMO_MENU: readonly DemoProduct[] = [
  demo('sourdough', 'Sourdough loaf', 450, 40, { every: 30, batch: 5, shelf: null, discount: 30 }),
  demo('baguette', 'Baguette', 220, 60, { every: 20, batch: 6, shelf: 480, discount: 30 }),
  demo('rye', 'Rye bread', 380, 30, { every: 60, batch: 4, shelf: null, discount: 20 }),
  demo('croissant', 'Butter croissant', 150, 80, { every: 15, batch: 4, shelf: 240, discount: 0 }),
  demo('glazed-donut', 'Glazed donut', 120, 100, { every: 1, batch: 1, shelf: 25, discount: 50 }),
  demo('jam-donut', 'Jam donut', 140, 100, { every: 2, batch: 1, shelf: 25, discount: 50 }),
  demo('cinnamon-roll', 'Cinnamon roll', 260, 50, { every: 30, batch: 6, shelf: 180, discount: 30 }),
];

/**
 * The demo bakery's day (UTC), as catalog takes it (BakeSchedule). The croissant, which
 * docs/TUTORIAL.md orders, is never discounted, so the tutorial's prices hold at any hour.
 */
function demoSchedule(bake: DemoProduct['bake']) {
  return {
    every_minutes: bake.every,
    batch: bake.batch,
    shelf_life_minutes: bake.shelf,
    discount_percent: bake.discount,
    discount_from: '21:30',
    opens: '06:00',
    closes: '22:00',
  };
}

export interface SeedOutcome {
  created: string[];
  existing: string[];
}

async function call(url: string, init: RequestInit): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: kept as text for the error message.
  }
  return { status: response.status, body };
}

/** Creates every product of the demo menu the catalog does not have yet, with its stock. */
export async function seedDemoShop(
  endpoints: Pick<Endpoints, 'gatewayUrl' | 'adminToken'>,
): Promise<SeedOutcome> {
  const url = (path: string) => new URL(path, endpoints.gatewayUrl).href;
  const listed = await call(url('/api/catalog/products'), {});
  if (listed.status !== 200)
    throw infrastructureFailure(
      'E_SEED',
      `could not list the catalog: HTTP ${listed.status} ${JSON.stringify(listed.body)}`,
      'Is the stack healthy? See `lab status` and `lab logs catalog`.',
    );
  const skus = new Set(
    ((listed.body as { products: Array<{ sku: string }> }).products ?? []).map((p) => p.sku),
  );
  const outcome: SeedOutcome = { created: [], existing: [] };
  for (const product of DEMO_MENU) {
    if (skus.has(product.sku)) {
      outcome.existing.push(product.sku);
      continue;
    }
    const created = await call(url('/api/admin/products'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-lab-admin-token': endpoints.adminToken },
      body: JSON.stringify({
        sku: product.sku,
        name: product.name,
        price_cents: product.price_cents,
        stock: { units: product.stock },
        schedule: demoSchedule(product.bake),
      }),
    });
    if (created.status === 409) outcome.existing.push(product.sku);
    else if (created.status !== 201)
      throw infrastructureFailure(
        'E_SEED',
        `could not create ${product.sku}: HTTP ${created.status} ${JSON.stringify(created.body)}`,
        'See `lab logs gateway` and `lab logs catalog`.',
      );
    else outcome.created.push(product.sku);
  }
  return outcome;
}

export function describeSeed(outcome: SeedOutcome): string {
  if (outcome.created.length === 0)
    return `demo bakery menu: already in the catalog (${outcome.existing.length} products)`;
  return `demo bakery menu: added ${outcome.created.join(', ')} with stock and bake schedules${outcome.existing.length > 0 ? ` (${outcome.existing.length} were there already)` : ''}`;
}

export function registerSeed(program: Command): void {
  program
    .command('seed')
    .description(
      'put the demo bakery menu (breads, croissants, donuts, with stock and bake schedules) in the running shop',
    )
    .action(async () => {
      const { runtimeOfRunningStack } = await import('../runtime/select.ts');
      const endpoints = await (await runtimeOfRunningStack()).endpoints();
      process.stdout.write(`${describeSeed(await seedDemoShop(endpoints))}\n`);
    });
}
