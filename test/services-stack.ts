/**
 * The whole shop for end-to-end tests: PostgreSQL, the lab's broker and the eight services, each
 * its own process, wired through env exactly like the local runtime does.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import type { DatabaseServiceName } from '../common/roster.ts';
import { allocatePorts } from '../infra/ports.ts';
import {
  ADMIN_TOKEN,
  JWT_SECRET,
  type Proc,
  query,
  spawnNode,
  startBrokerProcess,
  startPostgres,
  stopProc,
  type TestBroker,
  type TestPostgres,
  waitFor,
} from './services-support.ts';

export const BACKEND = ['auth', 'catalog', 'inventory', 'order', 'payment', 'shipping', 'search'] as const;
export type Backend = (typeof BACKEND)[number];
export type ShopService = Backend | 'gateway';

export interface ShopOptions {
  without?: string[];
  /** Extra env per service (e.g. LAB_RELAY_DUPLICATES for order). */
  env?: Partial<Record<ShopService, Record<string, string>>>;
}

export class Shop {
  readonly postgres: TestPostgres;
  readonly broker: TestBroker;
  readonly ports: Record<ShopService, number>;
  readonly procs = new Map<ShopService, Proc>();
  readonly options: ShopOptions;

  private constructor(
    postgres: TestPostgres,
    broker: TestBroker,
    ports: Record<ShopService, number>,
    options: ShopOptions,
  ) {
    this.postgres = postgres;
    this.broker = broker;
    this.ports = ports;
    this.options = options;
  }

  static async start(options: ShopOptions = {}): Promise<Shop> {
    const [postgres, broker] = await Promise.all([startPostgres(), startBrokerProcess()]);
    const services = [...BACKEND, 'gateway'] as const;
    const allocated = await allocatePorts(services.length);
    const ports = Object.fromEntries(services.map((service, at) => [service, allocated[at]])) as Record<
      ShopService,
      number
    >;
    const shop = new Shop(postgres, broker, ports, options);
    try {
      for (const service of [...BACKEND, 'gateway'] as const) shop.spawn(service);
      await Promise.all([...BACKEND, 'gateway'].map((service) => shop.waitHealthy(service as ShopService)));
    } catch (error) {
      await shop.stop();
      throw error;
    }
    return shop;
  }

  get gateway(): string {
    return this.url('gateway');
  }

  url(service: ShopService): string {
    return `http://127.0.0.1:${this.ports[service]}`;
  }

  db(service: DatabaseServiceName): string {
    return this.postgres.urls[service];
  }

  /** One number from a service's database: the first row's `n`. */
  async count(service: DatabaseServiceName, sql: string, params: unknown[] = []): Promise<number> {
    const [row] = await query<{ n: number }>(this.db(service), sql, params);
    return Number(row?.n ?? 0);
  }

  /** Units of a product still on sale. */
  availableUnits(productId: string): Promise<number> {
    return this.count(
      'inventory',
      `SELECT count(*) AS n FROM stock_units WHERE product_id = $1 AND status = 'available'`,
      [productId],
    );
  }

  /** Everything the saga wrote about one order, across the databases (what the checks compare). */
  async footprint(orderId: string) {
    const units = (status: string) =>
      this.count('inventory', 'SELECT count(*) AS n FROM stock_units WHERE order_id = $1 AND status = $2', [
        orderId,
        status,
      ]);
    const payments = (kind: string) =>
      this.count('payment', 'SELECT count(*) AS n FROM payments WHERE order_id = $1 AND kind = $2', [
        orderId,
        kind,
      ]);
    return {
      charges: await payments('charge'),
      refunds: await payments('refund'),
      sold: await units('sold'),
      reserved: await units('reserved'),
      shipments: await this.count('shipping', 'SELECT count(*) AS n FROM shipments WHERE order_id = $1', [
        orderId,
      ]),
    };
  }

  env(service: ShopService): Record<string, string> {
    const env: Record<string, string> = {
      PORT: String(this.ports[service]),
      LAB_ADMIN_TOKEN: ADMIN_TOKEN,
      JWT_SECRET,
      LAB_WITHOUT: (this.options.without ?? []).join(','),
      LOG_LEVEL: 'warn',
      LAB_CONSUMER_MAX_ATTEMPTS: '3',
      // The same memory caps as the local runtime (cli/runtime/local/shop.ts).
      NODE_OPTIONS: '--max-old-space-size=96 --max-semi-space-size=2',
      MALLOC_ARENA_MAX: '2',
    };
    if (service === 'gateway')
      for (const backend of BACKEND) env[`${backend.toUpperCase()}_URL`] = this.url(backend);
    else {
      env.DATABASE_URL = this.postgres.urls[service];
      env.KAFKA_BROKERS = this.broker.bootstrap;
    }
    return { ...env, ...this.options.env?.[service] };
  }

  spawn(service: ShopService): Proc {
    const proc = spawnNode(service, [`services/${service}/main.ts`], this.env(service));
    this.procs.set(service, proc);
    return proc;
  }

  async waitHealthy(service: ShopService, timeoutMs = 90_000): Promise<void> {
    const proc = this.procs.get(service);
    await waitFor(
      `${service} /health`,
      async () => {
        if (proc && proc.child.exitCode !== null)
          throw new Error(`${service} exited:\n${proc.output.join('').slice(-3000)}`);
        const response = await fetch(`${this.url(service)}/health`, { signal: AbortSignal.timeout(3000) });
        return response.status === 200;
      },
      { timeoutMs, intervalMs: 200 },
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n--- ${service} output ---\n${proc?.output.join('').slice(-3000)}`);
    });
  }

  async kill(service: ShopService): Promise<void> {
    await stopProc(this.procs.get(service), 'SIGKILL');
  }

  async restart(service: ShopService): Promise<void> {
    await stopProc(this.procs.get(service));
    this.spawn(service);
    await this.waitHealthy(service);
  }

  async stop(): Promise<void> {
    await Promise.all([...this.procs.values()].map((proc) => stopProc(proc)));
    await this.broker.stop();
    await this.postgres.stop();
  }
}

// Tests read answers field by field and assert on them; a schema per endpoint would only restate SCHEMA.md.
// biome-ignore lint/suspicious/noExplicitAny: see above
export type Body = any;

/** A small HTTP client for the gateway's API. */
export class Api {
  readonly base: string;
  constructor(base: string) {
    this.base = base;
  }

  async request(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; raw?: string; admin?: boolean } = {},
  ): Promise<{ status: number; body: Body }> {
    const headers: Record<string, string> = {};
    if (options.body !== undefined || options.raw !== undefined) headers['content-type'] = 'application/json';
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.admin) headers['x-lab-admin-token'] = ADMIN_TOKEN;
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers,
      body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  async seedProduct(sku: string, priceCents: number, units: number, extra: Record<string, unknown> = {}) {
    const response = await this.request('POST', '/api/admin/products', {
      admin: true,
      body: { sku, price_cents: priceCents, stock: { units, ...extra } },
    });
    if (response.status !== 201)
      throw new Error(`seed product: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body.product as { id: string; sku: string };
  }

  async seedCustomer(email: string, balanceCents: number) {
    const response = await this.request('POST', '/api/admin/customers', {
      admin: true,
      body: { email, password: 'correct horse battery', balance_cents: balanceCents },
    });
    if (response.status !== 201)
      throw new Error(`seed customer: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body as { user: { id: string }; token: string };
  }

  async placeOrder(token: string, lines: Array<{ sku?: string; product_id?: string; quantity: number }>) {
    return this.request('POST', '/api/order/orders', { token, body: { lines } });
  }

  async order(token: string, id: string) {
    return this.request('GET', `/api/order/orders/${id}`, { token });
  }

  async waitTerminal(token: string, id: string, timeoutMs = 60_000) {
    return waitFor(
      `order ${id} to finish`,
      async () => {
        const response = await this.order(token, id);
        return response.body?.order?.status !== 'PENDING' && response.status === 200
          ? response.body
          : undefined;
      },
      { timeoutMs, intervalMs: 100 },
    );
  }
}

/** Starts the whole shop once for the test file (stopped after it); `ready` gets it and its API. */
export function withShop(ready: (shop: Shop, api: Api) => void, options?: ShopOptions): void {
  let shop: Shop | undefined;
  beforeAll(async () => {
    shop = await Shop.start(options);
    ready(shop, new Api(shop.gateway));
  }, 180_000);
  afterAll(async () => {
    await shop?.stop();
  });
}

/** A name no other test uses. */
export const unique = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
