/**
 * Every check on hand-built database states in a real PostgreSQL: one consistent state that each
 * check calls valid, and for each check a state that violates it, which it must call invalid with
 * the offending order or row as evidence.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { captureSnapshot, type RunSnapshot } from '../cli/chaos/capture.ts';
import { CHECK_DEFINITIONS, runCheck, runChecks } from '../cli/chaos/checks/index.ts';
import type { CheckContext, CheckResult, RunScope } from '../cli/chaos/checks/types.ts';
import type { OperationEntry } from '../cli/chaos/history.ts';
import { CHECK_NAMES, type CheckName, type CheckSpec } from '../cli/chaos/schema.ts';
import { DATABASE_SERVICES, type DatabaseServiceName } from '../common/roster.ts';
import { PostgresCluster } from '../infra/postgres/cluster.ts';

const KIT_MIGRATIONS = path.resolve(import.meta.dirname, '../services/kit/migrations');
const SEARCH_MIGRATION = path.resolve(
  import.meta.dirname,
  '../services/search/migrations/001_projection.sql',
);

/** The per-service tables of services/SCHEMA.md (the columns the checks read, and their constraints). */
const SERVICE_TABLES: Partial<Record<DatabaseServiceName, string>> = {
  order: `
    CREATE TABLE orders (id uuid PRIMARY KEY, customer_id uuid NOT NULL, status text NOT NULL, total_cents bigint NOT NULL,
      reason text, created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(), completed_at timestamptz);
    CREATE TABLE order_lines (order_id uuid NOT NULL, line_no int NOT NULL, product_id uuid NOT NULL, sku text NOT NULL,
      quantity int NOT NULL CHECK (quantity > 0), unit_price_cents bigint NOT NULL, PRIMARY KEY (order_id, line_no));
    CREATE TABLE order_history (id bigserial PRIMARY KEY, order_id uuid NOT NULL, event_id uuid NOT NULL, event_type text NOT NULL,
      topic text NOT NULL, producer text NOT NULL, occurred_at timestamptz NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now());`,
  payment: `
    CREATE TABLE accounts (customer_id uuid PRIMARY KEY, balance_cents bigint NOT NULL, created_at timestamptz DEFAULT now(), updated_at timestamptz DEFAULT now());
    CREATE TABLE top_ups (id bigserial PRIMARY KEY, customer_id uuid NOT NULL, amount_cents bigint NOT NULL CHECK (amount_cents > 0), created_at timestamptz DEFAULT now());
    CREATE TABLE payments (id uuid PRIMARY KEY, order_id uuid NOT NULL, customer_id uuid NOT NULL, kind text NOT NULL,
      amount_cents bigint NOT NULL CHECK (amount_cents > 0), guarded boolean NOT NULL DEFAULT true, created_at timestamptz DEFAULT now());`,
  inventory: `
    CREATE TABLE stock_units (id bigserial PRIMARY KEY, product_id uuid NOT NULL, status text NOT NULL, order_id uuid,
      produced_at timestamptz NOT NULL DEFAULT now(), expires_at timestamptz, reserved_at timestamptz, sold_at timestamptz, released_at timestamptz,
      discard_at timestamptz, expired_at timestamptz, discarded_at timestamptz);`,
  catalog: `CREATE TABLE products (id uuid PRIMARY KEY, sku text NOT NULL UNIQUE, name text NOT NULL, price_cents bigint NOT NULL, schedule jsonb);`,
  search: readFileSync(SEARCH_MIGRATION, 'utf8'),
  shipping: `CREATE TABLE shipments (id uuid PRIMARY KEY, order_id uuid NOT NULL, customer_id uuid NOT NULL, status text NOT NULL DEFAULT 'scheduled', created_at timestamptz DEFAULT now());`,
};

let cluster: PostgresCluster;
let dataRoot: string;
const pools = {} as Record<DatabaseServiceName, pg.Pool>;

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const ALICE = uuid(1);
const BOB = uuid(2);
const BREAD = uuid(10);
const CONFIRMED_ORDER = uuid(100);
const CANCELLED_ORDER = uuid(101);
const startedAt = new Date(Date.now() - 60_000);
/** Bread's day: 20% off from 17:00 until 18:00 (the world's orders are placed at lab noon, below). */
const BREAD_DAY = {
  every_minutes: 30,
  batch: 5,
  shelf_life_minutes: null,
  discount_percent: 20,
  discount_from: '17:00',
  opens: '06:00',
  closes: '18:00',
};
/** A real-speed lab clock at which "now" is lab noon: the orders of the world are placed at noon. */
const NOON = { speed: 1, start: '2026-12-03T12:00:00.000Z', epoch: new Date().toISOString() };

const scope: RunScope = {
  customerIds: [ALICE, BOB],
  products: [{ id: BREAD, sku: 'bread', priceCents: 450, initialUnits: 10 }],
  initialBalanceCents: 20_000,
  startedAt,
  duplicatesInjected: false,
  clock: NOON,
};

function operation(index: number, orderId: string, latencyMs = 50): OperationEntry {
  return {
    type: 'op',
    index,
    op: 'place-order',
    worker: 0,
    customer: ALICE,
    lines: [{ sku: 'bread', quantity: 2 }],
    start: index * 100,
    end: index * 100 + latencyMs,
    outcome: 'ok',
    status: 202,
    orderId,
  };
}

const sql = (service: DatabaseServiceName, text: string, values: unknown[] = []) =>
  pools[service].query(text, values);

/**
 * A consistent world: Alice's order CONFIRMED (2 breads, charged 9.00, 2 units sold, shipped),
 * Bob's CANCELLED (charged then refunded, units released). Both started with 100.00.
 */
async function consistentWorld(): Promise<void> {
  for (const service of DATABASE_SERVICES) {
    const tables = ['outbox', 'inbox', 'dead_letters'];
    if (service === 'order') tables.push('orders', 'order_lines');
    if (service === 'payment') tables.push('accounts', 'top_ups', 'payments');
    if (service === 'inventory') tables.push('stock_units');
    if (service === 'catalog') tables.push('products');
    if (service === 'shipping') tables.push('shipments');
    if (service === 'search') tables.push('products', 'units', 'unit_holds');
    await sql(service, `TRUNCATE ${tables.join(', ')}`);
  }
  // The read side of the same world: 10 units produced, 2 sold to Alice, 1 reserved and released for Bob.
  await sql(
    'search',
    `INSERT INTO products (product_id, sku, name, price_cents, list_price_cents) VALUES ($1, 'bread', 'Bread', 450, 450)`,
    [BREAD],
  );
  await sql(
    'search',
    `INSERT INTO units (unit_id, product_id, produced, produced_at) SELECT n, $1, true, now() FROM generate_series(1, 10) AS n`,
    [BREAD],
  );
  await sql(
    'search',
    `INSERT INTO unit_holds (unit_id, order_id, reserved, released, consumed)
       VALUES (1, $1, true, false, true), (2, $1, true, false, true), (3, $2, true, true, false)`,
    [CONFIRMED_ORDER, CANCELLED_ORDER],
  );
  await sql(
    'order',
    `INSERT INTO orders (id, customer_id, status, total_cents) VALUES ($1, $2, 'CONFIRMED', 900), ($3, $4, 'CANCELLED', 450)`,
    [CONFIRMED_ORDER, ALICE, CANCELLED_ORDER, BOB],
  );
  await sql(
    'order',
    `INSERT INTO order_lines VALUES ($1, 1, $3, 'bread', 2, 450), ($2, 1, $3, 'bread', 1, 450)`,
    [CONFIRMED_ORDER, CANCELLED_ORDER, BREAD],
  );
  await sql('payment', `INSERT INTO accounts (customer_id, balance_cents) VALUES ($1, 9100), ($2, 10000)`, [
    ALICE,
    BOB,
  ]);
  await sql('payment', `INSERT INTO top_ups (customer_id, amount_cents) VALUES ($1, 10000), ($2, 10000)`, [
    ALICE,
    BOB,
  ]);
  await sql(
    'payment',
    `INSERT INTO payments (id, order_id, customer_id, kind, amount_cents) VALUES
       ($1, $2, $3, 'charge', 900), ($4, $5, $6, 'charge', 450), ($7, $5, $6, 'refund', 450)`,
    [uuid(200), CONFIRMED_ORDER, ALICE, uuid(201), CANCELLED_ORDER, BOB, uuid(202)],
  );
  await sql(
    'inventory',
    `INSERT INTO stock_units (product_id, status, order_id, sold_at)
       SELECT $1, CASE WHEN n <= 2 THEN 'sold' ELSE 'available' END, CASE WHEN n <= 2 THEN $2::uuid END,
              CASE WHEN n <= 2 THEN now() END
         FROM generate_series(1, 10) AS n`,
    [BREAD, CONFIRMED_ORDER],
  );
  await sql(
    'catalog',
    `INSERT INTO products (id, sku, name, price_cents, schedule) VALUES ($1, 'bread', 'Bread', 450, $2)`,
    [BREAD, BREAD_DAY],
  );
  await sql('shipping', `INSERT INTO shipments (id, order_id, customer_id) VALUES ($1, $2, $3)`, [
    uuid(300),
    CONFIRMED_ORDER,
    ALICE,
  ]);
  await sql(
    'order',
    `INSERT INTO outbox (id, aggregatetype, aggregateid, type, topic, payload, published_at)
       VALUES ($1, 'order', $2, 'OrderPlaced', 'orders', '{}', now())`,
    [uuid(400), CONFIRMED_ORDER],
  );
  await sql(
    'payment',
    `INSERT INTO inbox (consumer, event_id, event_type, topic, deliveries, applied) VALUES ('payment', $1, 'StockReserved', 'inventory', 2, 1)`,
    [uuid(500)],
  );
}

async function check(
  spec: CheckSpec | CheckSpec['name'],
  overrides: { scope?: Partial<RunScope>; operations?: OperationEntry[] } = {},
): Promise<CheckResult> {
  const context: Omit<CheckContext, 'spec'> = {
    snapshot: await captureSnapshot(pools, { ...scope, ...overrides.scope }),
    operations: overrides.operations ?? [operation(0, CONFIRMED_ORDER), operation(1, CANCELLED_ORDER)],
  };
  return runCheck(typeof spec === 'string' ? ({ name: spec } as CheckSpec) : spec, context);
}

/** The check answers invalid with exactly these evidence items. */
async function invalidWith(name: CheckSpec['name'], items: unknown[]): Promise<CheckResult> {
  const result = await check(name);
  expect(result, result.summary).toMatchObject({ verdict: 'invalid', evidence: { items } });
  return result;
}

beforeAll(async () => {
  dataRoot = mkdtempSync(path.join(tmpdir(), 'lab-chaos-checks-'));
  cluster = new PostgresCluster({ dataDir: path.join(dataRoot, 'pg'), synchronousCommit: 'off' });
  await cluster.start();
  const urls = await cluster.createServiceDatabases();
  for (const service of DATABASE_SERVICES) {
    pools[service] = new pg.Pool({ connectionString: urls[service], max: 2 });
    pools[service].on('error', () => {});
    for (const file of readdirSync(KIT_MIGRATIONS).sort())
      await pools[service].query(readFileSync(path.join(KIT_MIGRATIONS, file), 'utf8'));
    const tables = SERVICE_TABLES[service];
    if (tables) await pools[service].query(tables);
  }
});

afterAll(async () => {
  for (const pool of Object.values(pools)) await pool?.end();
  await cluster?.stop();
  if (dataRoot) rmSync(dataRoot, { recursive: true, force: true });
});

beforeEach(consistentWorld);

/**
 * Checks not judged by name on the consistent world: the parameterised ones (their cases below
 * give them their options) and the event checks (test/chaos-checks-events.test.ts builds their
 * events). Every other check, a new one included, must find this world valid.
 */
const JUDGED_ELSEWHERE = new Set<CheckName>([
  ...CHECK_DEFINITIONS.filter((definition) => definition.options).map((definition) => definition.name),
  ...([
    'acknowledged_orders_durable',
    'event_order_per_aggregate',
    'no_lost_event',
    'dlq_accounted',
  ] as const),
]);

describe('checks on a consistent world', () => {
  it.each(CHECK_NAMES.filter((name) => !JUDGED_ELSEWHERE.has(name)))('%s is valid', async (name) => {
    const result = await check(name);
    expect(result, result.summary).toMatchObject({ name, verdict: 'valid' });
    expect(result.evidence.total).toBe(0);
  });

  it('idempotent_consumers is valid when injected duplicates arrived and were skipped', async () => {
    const result = await check('idempotent_consumers', { scope: { duplicatesInjected: true } });
    expect(result.verdict).toBe('valid');
    expect(result.summary).toContain('1 duplicate deliveries');
  });

  it('latency_p99 and outcomes are valid within their bounds', async () => {
    expect((await check({ name: 'latency_p99', max: 100 })).verdict).toBe('valid');
    const outcomes = await check({
      name: 'outcomes',
      expected: { confirmed: { op: '>=', value: 1 }, cancelled: { op: '==', value: 1 } },
    });
    expect(outcomes.verdict).toBe('valid');
    expect(outcomes.summary).toContain('confirmed 1, cancelled 1, pending 0');
  });
});

describe('checks on violating worlds', () => {
  it('sagas_terminal: a PENDING order, and an acknowledged order that vanished', async () => {
    await sql('order', `UPDATE orders SET status = 'PENDING' WHERE id = $1`, [CANCELLED_ORDER]);
    const lostOrder = uuid(999);
    const result = await check('sagas_terminal', {
      operations: [operation(0, CONFIRMED_ORDER), operation(1, CANCELLED_ORDER), operation(2, lostOrder)],
    });
    expect(result.verdict).toBe('invalid');
    expect(result.evidence.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ order_id: CANCELLED_ORDER, status: 'PENDING' }),
        expect.objectContaining({ order_id: lostOrder, status: 'missing' }),
      ]),
    );
  });

  it('no_double_charge: a second charge for the same order', async () => {
    await sql(
      'payment',
      `INSERT INTO payments (id, order_id, customer_id, kind, amount_cents, guarded) VALUES ($1, $2, $3, 'charge', 900, false)`,
      [uuid(203), CONFIRMED_ORDER, ALICE],
    );
    await sql('payment', 'UPDATE accounts SET balance_cents = balance_cents - 900 WHERE customer_id = $1', [
      ALICE,
    ]);
    await invalidWith('no_double_charge', [
      expect.objectContaining({
        order_id: CONFIRMED_ORDER,
        kind: 'charge',
        count: 2,
        payment_ids: [uuid(200), uuid(203)],
      }),
    ]);
    // The money still balances: a double charge moves money, it does not create it.
    expect((await check('money_conserved')).verdict).toBe('valid');
  });

  it('money_conserved: a balance changed without a payment', async () => {
    await sql('payment', 'UPDATE accounts SET balance_cents = balance_cents + 150 WHERE customer_id = $1', [
      BOB,
    ]);
    await invalidWith('money_conserved', [
      expect.objectContaining({
        problem: expect.stringContaining('ledger does not balance'),
        difference: '-1.50',
      }),
    ]);
  });

  it('money_conserved: credits that differ from the starting balances', async () => {
    const result = await check('money_conserved', { scope: { initialBalanceCents: 15_000 } });
    expect(result.verdict).toBe('invalid');
    expect(result.evidence.items[0]).toMatchObject({ starting_balances: '150.00', top_ups: '200.00' });
  });

  it('stock_conserved: a unit vanished, and units sold that no confirmed order bought', async () => {
    await sql('inventory', `DELETE FROM stock_units WHERE id = (SELECT max(id) FROM stock_units)`);
    await sql(
      'inventory',
      `UPDATE stock_units SET status = 'sold', order_id = $1, sold_at = now() WHERE id = (SELECT min(id) FROM stock_units WHERE status = 'available')`,
      [CANCELLED_ORDER],
    );
    await invalidWith('stock_conserved', [
      expect.objectContaining({ sku: 'bread', problem: 'units appeared or vanished', initial: 10, now: 9 }),
      expect.objectContaining({ sku: 'bread', sold: 3, confirmed_quantity: 2 }),
    ]);
  });

  it('read_model_converges: a projection behind on a sale and on a price change', async () => {
    // The StockConsumed of a later sale not applied yet, and a price change not seen.
    await sql(
      'inventory',
      `UPDATE stock_units SET status = 'sold' WHERE id = (SELECT max(id) FROM stock_units)`,
    );
    await sql('catalog', 'UPDATE products SET price_cents = 380');
    const result = await invalidWith('read_model_converges', [
      expect.objectContaining({ product_id: BREAD, field: 'price_cents', source: 380, search: 450 }),
      expect.objectContaining({ product_id: BREAD, field: 'available', source: 7, search: 8 }),
    ]);
    expect(result.summary).toContain('1 of 1 products (2 fields)');
  });

  it('read_model_converges: units stale in lab time count in neither, a product missing is named', async () => {
    // A minute before the world's lab noon: stale in lab time, though in the future in real time.
    const beforeLabNow = new Date(Date.parse(NOON.start) - 60_000).toISOString();
    await sql('inventory', `UPDATE stock_units SET expires_at = $1 WHERE status = 'available'`, [
      beforeLabNow,
    ]);
    const stale = await check('read_model_converges');
    expect(stale.evidence.items).toEqual([
      expect.objectContaining({ field: 'available', source: 0, search: 8 }),
    ]);
    await sql('search', 'UPDATE units SET expires_at = $1', [beforeLabNow]);
    expect((await check('read_model_converges')).verdict).toBe('valid');
    await sql('search', 'DELETE FROM products');
    const missing = await check('read_model_converges');
    expect(missing.evidence.items).toEqual([
      expect.objectContaining({ field: 'product', source: 'in catalog', search: 'absent' }),
    ]);
  });

  it('stock_conserved: a stale unit sold', async () => {
    await sql(
      'inventory',
      `UPDATE stock_units SET expires_at = sold_at - interval '1 day' WHERE status = 'sold'`,
    );
    await invalidWith('stock_conserved', [
      expect.objectContaining({ problem: 'stale units sold', units: 2 }),
    ]);
  });

  it('stock_conserved: units the oven produced and the sweep took count only when announced', async () => {
    await sql(
      'inventory',
      `INSERT INTO stock_units (id, product_id, status, expired_at) VALUES (1001, $1, 'available', NULL), (1002, $1, 'expired', now())`,
      [BREAD],
    );
    await sql(
      'inventory',
      `INSERT INTO outbox (id, aggregatetype, aggregateid, type, topic, payload, published_at) VALUES
         ($1, 'stock', $3, 'StockProduced', 'inventory', $4, now()), ($2, 'stock', $3, 'StockExpired', 'inventory', $5, now())`,
      [
        uuid(410),
        uuid(411),
        BREAD,
        { product_id: BREAD, unit_ids: [1001, 1002] },
        { product_id: BREAD, unit_ids: [1002] },
      ],
    );
    const valid = await check('stock_conserved');
    expect(valid, valid.summary).toMatchObject({ verdict: 'valid' });
    expect(valid.summary).toContain('2 produced, 1 expired or discarded');
    await sql('inventory', `UPDATE stock_units SET status = 'discarded' WHERE id = 1001`);
    await invalidWith('stock_conserved', [
      expect.objectContaining({
        problem: 'discarded units differ from the announced',
        discarded: 1,
        announced: 0,
      }),
    ]);
  });

  it('no_stale_sold: a unit reserved after it expired, and one sold after the sweep took it', async () => {
    await sql(
      'inventory',
      `UPDATE stock_units SET reserved_at = '2026-12-03T11:00:00Z', expires_at = '2026-12-03T10:45:00Z'
        WHERE id = (SELECT min(id) FROM stock_units WHERE status = 'sold')`,
    );
    const [second] = (
      await sql('inventory', `SELECT max(id)::float8 AS id FROM stock_units WHERE status = 'sold'`)
    ).rows as Array<{ id: number }>;
    await sql(
      'inventory',
      `INSERT INTO outbox (id, aggregatetype, aggregateid, type, topic, payload, published_at)
         VALUES ($1, 'stock', $2, 'StockExpired', 'inventory', $3, now())`,
      [
        uuid(412),
        BREAD,
        { product_id: BREAD, unit_ids: [second!.id], expired_at: '2026-12-03T11:15:00.000Z' },
      ],
    );
    await invalidWith('no_stale_sold', [
      expect.objectContaining({
        order: CONFIRMED_ORDER,
        sku: 'bread',
        problem: 'reserved after it expired',
        reserved_at: '2026-12-03T11:00:00.000Z',
        expires_at: '2026-12-03T10:45:00.000Z',
      }),
      expect.objectContaining({
        unit: second!.id,
        problem: 'sold after the sweep expired it',
        left_sale_at: '2026-12-03T11:15:00.000Z',
      }),
    ]);
  });

  it('discount_consistent: an order at lab noon pays the list price outside the window, the discount inside it', async () => {
    // The window moved to cover noon: the world's orders paid 4.50 where 3.60 was due.
    await sql('catalog', `UPDATE products SET schedule = $1`, [{ ...BREAD_DAY, discount_from: '11:00' }]);
    const result = await check('discount_consistent');
    expect(result.verdict).toBe('invalid');
    expect(result.evidence.items).toContainEqual(
      expect.objectContaining({
        order: CONFIRMED_ORDER,
        problem: 'not discounted inside the window',
        paid_cents: 450,
        expected_cents: [360],
        window: '11:00-18:00',
      }),
    );
    await sql('order', `UPDATE order_lines SET unit_price_cents = 360`);
    await sql('order', `UPDATE orders SET total_cents = 720 WHERE id = $1`, [CONFIRMED_ORDER]);
    await sql('payment', `UPDATE payments SET amount_cents = 720 WHERE order_id = $1 AND kind = 'charge'`, [
      CONFIRMED_ORDER,
    ]);
    await sql('order', `UPDATE orders SET total_cents = 360 WHERE id = $1`, [CANCELLED_ORDER]);
    await sql('payment', `UPDATE payments SET amount_cents = 360 WHERE order_id = $1`, [CANCELLED_ORDER]);
    const discounted = await check('discount_consistent');
    expect(discounted, discounted.summary).toMatchObject({ verdict: 'valid' });
    expect(discounted.summary).toContain('2 at a discount');
    // The charge must be the order's total: the catalog, the order and payment agree.
    await sql('payment', `UPDATE payments SET amount_cents = 900 WHERE order_id = $1`, [CONFIRMED_ORDER]);
    await invalidWith('discount_consistent', [
      expect.objectContaining({
        order: CONFIRMED_ORDER,
        problem: 'charge differs from the order total',
        charged_cents: 900,
      }),
    ]);
  });

  it('outcomes_consistent: a cancelled order still charged, holding units and shipped', async () => {
    await sql('payment', `DELETE FROM payments WHERE kind = 'refund'`);
    await sql(
      'inventory',
      `UPDATE stock_units SET status = 'reserved', order_id = $1 WHERE id = (SELECT max(id) FROM stock_units)`,
      [CANCELLED_ORDER],
    );
    await sql('shipping', `INSERT INTO shipments (id, order_id, customer_id) VALUES ($1, $2, $3)`, [
      uuid(301),
      CANCELLED_ORDER,
      BOB,
    ]);
    await invalidWith('outcomes_consistent', [
      expect.objectContaining({
        order_id: CANCELLED_ORDER,
        problem: 'charged but not refunded, units still held, shipped although cancelled',
      }),
    ]);
  });

  it('outcomes_consistent: a confirmed order without shipment and with a wrong capture', async () => {
    await sql('shipping', 'DELETE FROM shipments');
    await sql('payment', `UPDATE payments SET amount_cents = 800 WHERE id = $1`, [uuid(200)]);
    await invalidWith('outcomes_consistent', [
      expect.objectContaining({
        order_id: CONFIRMED_ORDER,
        problem: 'captured amount differs from the order total, no shipment',
      }),
    ]);
  });

  it('outbox_drained: a row written just before the capture is on its way, not left', async () => {
    await sql(
      'inventory',
      `INSERT INTO outbox (id, aggregatetype, aggregateid, type, topic, payload) VALUES ($1, 'order', $2, 'StockReserved', 'inventory', '{}')`,
      [uuid(402), CONFIRMED_ORDER],
    );
    const result = await check('outbox_drained');
    expect(result.verdict).toBe('valid');
    expect(result.summary).toContain('1 written in the last 3 s still on their way');
  });

  it('outbox_drained: an unpublished row names its service and event', async () => {
    await sql(
      'inventory',
      `INSERT INTO outbox (id, aggregatetype, aggregateid, type, topic, payload, created_at)
       VALUES ($1, 'order', $2, 'StockReserved', 'inventory', '{}', now() - interval '10 seconds')`,
      [uuid(401), CONFIRMED_ORDER],
    );
    const result = await invalidWith('outbox_drained', [
      expect.objectContaining({
        service: 'inventory',
        event_id: uuid(401),
        type: 'StockReserved',
        aggregateid: CONFIRMED_ORDER,
      }),
    ]);
    expect(result.summary).toContain('inventory 1');
  });

  it('idempotent_consumers: an event applied twice', async () => {
    await sql(
      'payment',
      `INSERT INTO inbox (consumer, event_id, event_type, topic, deliveries, applied) VALUES ('payment', $1, 'StockReserved', 'inventory', 2, 2)`,
      [uuid(501)],
    );
    await invalidWith('idempotent_consumers', [
      expect.objectContaining({ consumer: 'payment', event_id: uuid(501), applied: 2 }),
    ]);
  });

  it('idempotent_consumers: duplicates injected but none delivered', async () => {
    await sql('payment', 'TRUNCATE inbox');
    const result = await check('idempotent_consumers', { scope: { duplicatesInjected: true } });
    expect(result.verdict).toBe('invalid');
    expect(result.summary).toContain('none reached a consumer');
  });

  it('idempotent_consumers ignores rows of earlier runs', async () => {
    await sql(
      'payment',
      `INSERT INTO inbox (consumer, event_id, event_type, topic, deliveries, applied, first_seen_at, last_seen_at)
         VALUES ('payment', $1, 'StockReserved', 'inventory', 2, 2, now() - interval '1 day', now() - interval '1 day')`,
      [uuid(502)],
    );
    expect((await check('idempotent_consumers')).verdict).toBe('valid');
  });

  it('idempotent_consumers ignores events of earlier runs replayed during this run (a rewound group)', async () => {
    await sql(
      'payment',
      `INSERT INTO inbox (consumer, event_id, event_type, topic, deliveries, applied, first_seen_at, last_seen_at)
         VALUES ('payment', $1, 'StockReserved', 'inventory', 3, 2, now() - interval '1 day', now())`,
      [uuid(503)],
    );
    expect((await check('idempotent_consumers')).verdict).toBe('valid');
  });

  it('latency_p99: too slow, with the slowest operations as evidence', async () => {
    const operations = Array.from({ length: 100 }, (_, index) =>
      operation(index, CONFIRMED_ORDER, index < 98 ? 10 : 3000),
    );
    const result = await check({ name: 'latency_p99', max: 2000 }, { operations });
    expect(result.verdict).toBe('invalid');
    expect(result.summary).toContain('p99 3s over 100');
    expect(result.evidence.items[0]).toMatchObject({ latency_ms: 3000 });
  });

  it('latency_p99 is unknown without a successful operation', async () => {
    expect((await check({ name: 'latency_p99', max: 2000 }, { operations: [] })).verdict).toBe('unknown');
  });

  it('outcomes: fewer confirmed orders than expected', async () => {
    const result = await check({ name: 'outcomes', expected: { confirmed: { op: '>=', value: 2 } } });
    expect(result.verdict).toBe('invalid');
    expect(result.evidence.items).toEqual([{ outcome: 'confirmed', expected: '>= 2', actual: 1 }]);
  });

  it('a check that cannot read its rows says unknown instead of crashing the run', async () => {
    const snapshot = await captureSnapshot(pools, scope);
    const truncated = {
      ...snapshot,
      rows: { ...snapshot.rows, payment: { ...snapshot.rows.payment, payments: undefined } },
    };
    const result = runCheck(
      { name: 'no_double_charge' },
      { snapshot: truncated as unknown as RunSnapshot, operations: [] },
    );
    expect(result.verdict).toBe('unknown');
    expect(result.summary).toContain('could not be computed');
  });

  it('a snapshot read back from its JSON gives the same verdicts and evidence', async () => {
    await sql(
      'payment',
      `INSERT INTO payments (id, order_id, customer_id, kind, amount_cents) VALUES ($1, $2, $3, 'charge', 450)`,
      [uuid(210), CONFIRMED_ORDER, ALICE],
    );
    const snapshot = await captureSnapshot(pools, scope);
    const stored = JSON.parse(JSON.stringify(snapshot)) as RunSnapshot;
    const operations = [operation(0, CONFIRMED_ORDER), operation(1, CANCELLED_ORDER)];
    const specs = CHECK_DEFINITIONS.filter((definition) => !definition.parameters).map(
      (definition) => ({ name: definition.name }) as CheckSpec,
    );
    const live = runChecks(specs, { snapshot, operations });
    expect(live.find((result) => result.name === 'no_double_charge')?.verdict).toBe('invalid');
    expect(runChecks(specs, { snapshot: stored, operations })).toEqual(live);
  });
});

describe('the check registry', () => {
  it('has one definition per check name, each with a description; parameters exactly where the schema takes them', async () => {
    const { DEFAULT_CHECKS } = await import('../cli/chaos/schema.ts');
    expect(CHECK_DEFINITIONS.map((definition) => definition.name)).toEqual([...CHECK_NAMES]);
    for (const definition of CHECK_DEFINITIONS) expect(definition.description.length).toBeGreaterThan(20);
    expect(
      CHECK_DEFINITIONS.filter((definition) => definition.options).map((definition) => definition.name),
    ).toEqual(['latency_p99', 'outcomes']);
    expect(DEFAULT_CHECKS).not.toContain('latency_p99');
  });
});
