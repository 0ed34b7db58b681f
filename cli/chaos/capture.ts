/**
 * The run's snapshot: every row the checks read, captured from the services' databases in one
 * pass at the end of a run, as plain JSON (ids as text, money as numbers, times as ISO strings).
 *
 * The checks compute from this object only, never from a live database, and the run directory
 * keeps it (rows/<service>.json): `lab check` on a stored run feeds the same object to the same
 * functions, so the verdicts cannot drift between the live run and a re-check after
 * `lab down --purge`.
 */
import type { DaySchedule } from '../../common/bakery.ts';
import { LabClock } from '../../common/clock.ts';
import { DATABASE_SERVICES, type DatabaseServiceName } from '../../common/roster.ts';
import { availableUnitSql } from '../../services/search/projection.ts';
import type { SearchedProduct } from '../../services/search/query.ts';
import type { Queryable, RunScope } from './checks/types.ts';

/** RunScope as stored: the same facts, startedAt as an ISO string. */
export type SnapshotScope = Omit<RunScope, 'startedAt'> & { startedAt: string };

export interface OutboxRow {
  event_id: string;
  seq: number;
  aggregatetype: string;
  aggregateid: string;
  type: string;
  topic: string;
  headers: Record<string, string>;
  payload: unknown;
  created_at: string;
  published_at: string | null;
  copies_published: number;
}

export interface InboxRow {
  consumer: string;
  event_id: string;
  event_type: string;
  topic: string;
  deliveries: number;
  applied: number;
  first_seen_at: string;
  last_seen_at: string;
  /** The consumer's apply order (migration 006); absent in runs stored before it existed. */
  apply_seq?: number;
}

export interface DeadLetterRow {
  id: number;
  consumer: string;
  topic: string;
  partition: number;
  offset: string;
  event_id: string | null;
  event_type: string | null;
  /** The message key and value as UTF-8 (invalid bytes replaced): poison need not be text. */
  key: string | null;
  value: string | null;
  error: string;
  attempts: number;
  created_at: string;
}

export interface OrderRow {
  id: string;
  customer_id: string;
  status: 'PENDING' | 'CONFIRMED' | 'CANCELLED';
  total_cents: number;
  reason: string | null;
  created_at: string;
  completed_at: string | null;
}

export interface OrderLineRow {
  order_id: string;
  line_no: number;
  product_id: string;
  sku: string;
  quantity: number;
  /** What the order paid per unit (the catalog's quote when it was placed). */
  unit_price_cents: number;
}

export interface OrderHistoryRow {
  order_id: string;
  event_id: string;
  event_type: string;
  topic: string;
  producer: string;
  occurred_at: string;
  recorded_at: string;
}

export interface AccountRow {
  customer_id: string;
  balance_cents: number;
}

export interface TopUpRow {
  customer_id: string;
  amount_cents: number;
}

export interface PaymentRow {
  id: string;
  order_id: string;
  customer_id: string;
  kind: 'charge' | 'refund';
  amount_cents: number;
  created_at: string;
}

/** A stock unit; every time is lab time (the inventory's clock). */
export interface StockUnitRow {
  id: number;
  product_id: string;
  status: 'available' | 'reserved' | 'sold' | 'expired' | 'discarded';
  order_id: string | null;
  produced_at: string;
  expires_at: string | null;
  /** When its day closes and it is thrown out (null: stock added by hand). */
  discard_at: string | null;
  reserved_at: string | null;
  sold_at: string | null;
  expired_at: string | null;
  discarded_at: string | null;
}

/**
 * A product of the run as catalog declares it: its list price and bake schedule (the price in
 * force follows from both and the lab time), the source the search projection must equal.
 */
export interface CatalogProductRow {
  id: string;
  sku: string;
  name: string;
  price_cents: number;
  schedule: DaySchedule | null;
}

/** A product as the search projection answers it, its available count at the snapshot's `as_of`. */
export type SearchProductRow = SearchedProduct;

export interface ShipmentRow {
  id: string;
  order_id: string;
  customer_id: string;
  created_at: string;
}

/** The pattern tables every service with a database has (services/kit/migrations). */
export interface KitRows {
  outbox: OutboxRow[];
  inbox: InboxRow[];
  dead_letters: DeadLetterRow[];
}

export interface ServiceRows {
  auth: KitRows;
  /** `products` is absent in runs stored before the bakery and the read side existed. */
  catalog: KitRows & { products?: CatalogProductRow[] };
  inventory: KitRows & { stock_units: StockUnitRow[] };
  order: KitRows & { orders: OrderRow[]; order_lines: OrderLineRow[]; order_history: OrderHistoryRow[] };
  payment: KitRows & { accounts: AccountRow[]; top_ups: TopUpRow[]; payments: PaymentRow[] };
  shipping: KitRows & { shipments: ShipmentRow[] };
  /** `as_of`: the lab instant the projection's available counts (and freshness) were read at. */
  search: KitRows & { products?: SearchProductRow[]; as_of?: string };
}

export interface RunSnapshot {
  capturedAt: string;
  scope: SnapshotScope;
  rows: ServiceRows;
}

async function select<R>(db: Queryable, text: string, values: unknown[] = []): Promise<R[]> {
  const { rows } = await db.query(text, values);
  return rows as R[];
}

/** Outbox rows of this run, and every row still unpublished whenever it was written. */
const OUTBOX_SQL = `SELECT id::text AS event_id, seq::float8 AS seq, aggregatetype, aggregateid, type, topic, headers, payload,
       created_at, published_at, copies_published
  FROM outbox WHERE created_at >= $1 OR published_at IS NULL ORDER BY seq`;
/** Events first seen during this run: a rewound group also replays earlier runs' events. */
const INBOX_SQL = `SELECT consumer, event_id::text, event_type, topic, deliveries, applied, first_seen_at, last_seen_at,
       apply_seq::float8 AS apply_seq
  FROM inbox WHERE first_seen_at >= $1 ORDER BY first_seen_at, consumer, event_id`;
const DEAD_LETTERS_SQL = `SELECT id::float8 AS id, consumer, topic, partition, "offset", event_id, event_type,
       convert_from(key, 'UTF8') AS key, encode(value, 'escape') AS value, error, attempts, created_at
  FROM dead_letters WHERE created_at >= $1 ORDER BY id`;

async function kitRows(db: Queryable, startedAt: string): Promise<KitRows> {
  return {
    outbox: await select<OutboxRow>(db, OUTBOX_SQL, [startedAt]),
    inbox: await select<InboxRow>(db, INBOX_SQL, [startedAt]),
    dead_letters: await select<DeadLetterRow>(db, DEAD_LETTERS_SQL, [startedAt]).catch(() =>
      // A key that is not UTF-8 makes convert_from fail; then every key is kept escaped instead.
      select<DeadLetterRow>(
        db,
        DEAD_LETTERS_SQL.replace(`convert_from(key, 'UTF8')`, `encode(key, 'escape')`),
        [startedAt],
      ),
    ),
  };
}

/**
 * Reads the run's rows from every service database. `databases` are direct connections (not
 * through the fault proxy). The result is passed through JSON once, so the object the live run
 * checks is exactly the one a stored run reads back.
 */
export async function captureSnapshot(
  databases: Record<DatabaseServiceName, Queryable>,
  scope: RunScope | SnapshotScope,
  options: { labNow?: Date } = {},
): Promise<RunSnapshot> {
  // Freshness is judged on the stack's lab clock, which the run's scope records.
  const clock = scope.clock ? LabClock.fromJSON(scope.clock) : LabClock.real();
  const labNow = (options.labNow ?? clock.now()).toISOString();
  const startedAt = new Date(scope.startedAt).toISOString();
  const customers = scope.customerIds;
  const productIds = scope.products.map((product) => product.id);
  const kit = Object.fromEntries(
    await Promise.all(
      DATABASE_SERVICES.map(
        async (service) => [service, await kitRows(databases[service], startedAt)] as const,
      ),
    ),
  ) as Record<DatabaseServiceName, KitRows>;

  const order = databases.order;
  const orders = await select<OrderRow>(
    order,
    `SELECT id::text, customer_id::text, status, total_cents::float8 AS total_cents, reason, created_at, completed_at
       FROM orders WHERE customer_id::text = ANY($1::text[]) ORDER BY created_at, id`,
    [customers],
  );
  const orderIds = orders.map((row) => row.id);
  const orderLines = await select<OrderLineRow>(
    order,
    `SELECT l.order_id::text, l.line_no, l.product_id::text, l.sku, l.quantity::int AS quantity,
            l.unit_price_cents::float8 AS unit_price_cents
       FROM order_lines l JOIN orders o ON o.id = l.order_id
      WHERE o.customer_id::text = ANY($1::text[]) ORDER BY l.order_id, l.line_no`,
    [customers],
  );
  const orderHistory = await select<OrderHistoryRow>(
    order,
    `SELECT order_id::text, event_id::text, event_type, topic, producer, occurred_at, recorded_at
       FROM order_history WHERE order_id::text = ANY($1::text[]) ORDER BY order_id, id`,
    [orderIds],
  );

  const payment = databases.payment;
  const accounts = await select<AccountRow>(
    payment,
    `SELECT customer_id::text, balance_cents::float8 AS balance_cents FROM accounts
      WHERE customer_id::text = ANY($1::text[]) ORDER BY customer_id`,
    [customers],
  );
  const topUps = await select<TopUpRow>(
    payment,
    `SELECT customer_id::text, amount_cents::float8 AS amount_cents FROM top_ups
      WHERE customer_id::text = ANY($1::text[]) ORDER BY id`,
    [customers],
  );
  const payments = await select<PaymentRow>(
    payment,
    `SELECT id::text, order_id::text, customer_id::text, kind, amount_cents::float8 AS amount_cents, created_at
       FROM payments WHERE customer_id::text = ANY($1::text[]) OR order_id::text = ANY($2::text[])
      ORDER BY created_at, id`,
    [customers, orderIds],
  );
  const stockUnits = await select<StockUnitRow>(
    databases.inventory,
    `SELECT id::float8 AS id, product_id::text, status, order_id::text, produced_at, expires_at, discard_at,
            reserved_at, sold_at, expired_at, discarded_at
       FROM stock_units WHERE product_id::text = ANY($1::text[]) OR order_id::text = ANY($2::text[]) ORDER BY id`,
    [productIds, orderIds],
  );
  const products = await select<CatalogProductRow>(
    databases.catalog,
    `SELECT id::text, sku, name, price_cents::float8 AS price_cents, schedule FROM products
      WHERE id::text = ANY($1::text[]) ORDER BY sku`,
    [productIds],
  );
  const shipments = await select<ShipmentRow>(
    databases.shipping,
    `SELECT id::text, order_id::text, customer_id::text, created_at FROM shipments
      WHERE order_id::text = ANY($1::text[]) ORDER BY created_at, id`,
    [orderIds],
  );

  const searchProducts = await select<SearchProductRow>(
    databases.search,
    `SELECT p.product_id::text AS id, p.sku, p.name, p.price_cents::float8 AS price_cents,
            p.list_price_cents::float8 AS list_price_cents, p.discount_percent,
            (SELECT count(*)::int FROM units u WHERE u.product_id = p.product_id AND ${availableUnitSql('$2')}) AS available
       FROM products p WHERE p.product_id::text = ANY($1::text[]) ORDER BY p.sku`,
    [productIds, labNow],
  );

  const snapshot: RunSnapshot = {
    capturedAt: new Date().toISOString(),
    scope: { ...scope, startedAt },
    rows: {
      auth: kit.auth,
      catalog: { ...kit.catalog, products },
      inventory: { ...kit.inventory, stock_units: stockUnits },
      order: { ...kit.order, orders, order_lines: orderLines, order_history: orderHistory },
      payment: { ...kit.payment, accounts, top_ups: topUps, payments },
      shipping: { ...kit.shipping, shipments },
      search: { ...kit.search, products: searchProducts, as_of: labNow },
    },
  };
  return JSON.parse(JSON.stringify(snapshot)) as RunSnapshot;
}

/**
 * One order's rows from a running stack, for `lab trace`: its outbox rows (any service), the
 * deliveries and dead letters of those events, its payments. Shaped as a snapshot so the same
 * derivation (run-events.ts) reads it.
 */
export async function captureOrder(
  databases: Record<DatabaseServiceName, Queryable>,
  orderId: string,
): Promise<RunSnapshot> {
  const kit = {} as Record<DatabaseServiceName, KitRows>;
  for (const service of DATABASE_SERVICES)
    kit[service] = {
      outbox: await select<OutboxRow>(
        databases[service],
        `SELECT id::text AS event_id, seq::float8 AS seq, aggregatetype, aggregateid, type, topic, headers, payload,
                created_at, published_at, copies_published
           FROM outbox WHERE aggregateid = $1 OR payload->>'order_id' = $1 ORDER BY seq`,
        [orderId],
      ),
      inbox: [],
      dead_letters: [],
    };
  const eventIds = DATABASE_SERVICES.flatMap((service) => kit[service].outbox.map((row) => row.event_id));
  const history = await select<OrderHistoryRow>(
    databases.order,
    `SELECT order_id::text, event_id::text, event_type, topic, producer, occurred_at, recorded_at
       FROM order_history WHERE order_id::text = $1 ORDER BY id`,
    [orderId],
  );
  eventIds.push(...history.map((row) => row.event_id));
  for (const service of DATABASE_SERVICES) {
    kit[service].inbox = await select<InboxRow>(
      databases[service],
      `SELECT consumer, event_id::text, event_type, topic, deliveries, applied, first_seen_at, last_seen_at,
              apply_seq::float8 AS apply_seq
         FROM inbox WHERE event_id::text = ANY($1::text[]) ORDER BY first_seen_at`,
      [eventIds],
    );
    kit[service].dead_letters = await select<DeadLetterRow>(
      databases[service],
      `SELECT id::float8 AS id, consumer, topic, partition, "offset", event_id, event_type,
              encode(key, 'escape') AS key, encode(value, 'escape') AS value, error, attempts, created_at
         FROM dead_letters WHERE event_id = ANY($1::text[]) OR key = convert_to($2, 'UTF8') ORDER BY id`,
      [eventIds, orderId],
    );
  }
  const orders = await select<OrderRow>(
    databases.order,
    `SELECT id::text, customer_id::text, status, total_cents::float8 AS total_cents, reason, created_at, completed_at
       FROM orders WHERE id::text = $1`,
    [orderId],
  );
  const payments = await select<PaymentRow>(
    databases.payment,
    `SELECT id::text, order_id::text, customer_id::text, kind, amount_cents::float8 AS amount_cents, created_at
       FROM payments WHERE order_id::text = $1 ORDER BY created_at, id`,
    [orderId],
  );
  const snapshot: RunSnapshot = {
    capturedAt: new Date().toISOString(),
    scope: {
      customerIds: orders.map((order) => order.customer_id),
      products: [],
      initialBalanceCents: 0,
      startedAt: new Date(0).toISOString(),
      duplicatesInjected: false,
    },
    rows: {
      auth: kit.auth,
      catalog: { ...kit.catalog, products: [] },
      inventory: { ...kit.inventory, stock_units: [] },
      order: { ...kit.order, orders, order_lines: [], order_history: history },
      payment: { ...kit.payment, accounts: [], top_ups: [], payments },
      shipping: { ...kit.shipping, shipments: [] },
      search: { ...kit.search, products: [], as_of: new Date(0).toISOString() },
    },
  };
  return JSON.parse(JSON.stringify(snapshot)) as RunSnapshot;
}
