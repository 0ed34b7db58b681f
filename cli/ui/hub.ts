/**
 * The console's live view of one stack and the actions it offers. It polls only while a browser
 * watches (an idle stack with the console open in no tab costs almost nothing), merges what it
 * learns into one snapshot, and hands the server a batch (snapshot + tapped events) every 250 ms.
 */
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { LabError } from '../../common/errors.ts';
import { DATABASE_SERVICES, PATTERN_SWITCHES, type PatternSwitch } from '../../common/roster.ts';
import { createProxyClient } from '../chaos/faults/proxy.ts';
import type { ActiveFault, FaultContext } from '../chaos/faults/types.ts';
import { createRandom } from '../chaos/random.ts';
import { FaultClient, type LinkState } from '../faults/client.ts';
import type { Endpoints, ProcessStatus, Runtime } from '../runtime/types.ts';
import { type ServiceCounters, scrapeCounters } from './metrics.ts';
import { type OrderSummary, orderSaga, orderSummary, type Pools } from './orders.ts';
import { type LiveRunView, liveChaosRun } from './runs.ts';
import { type LoadProgress, type Product, Shopper } from './shopper.ts';
import { BrokerTap, type TappedEvent } from './tap.ts';

export interface ActivityEntry {
  time: string;
  message: string;
  level: 'info' | 'warn' | 'error';
}

export interface AppFaultView {
  id: number;
  kind: string;
  target: string;
  since: string;
}

export interface ScenarioProgress {
  name: string;
  phase: string;
  done: number;
  failed: number;
  verdict?: string;
  expectationMet?: boolean;
  runDir?: string;
  error?: string;
}

export interface Snapshot {
  runtime: string;
  without: PatternSwitch[];
  /** A pattern switch or scenario is recreating the stack: actions wait. */
  busy: string | null;
  processes: ProcessStatus[];
  links: LinkState[];
  counters: ServiceCounters[];
  orders: OrderSummary;
  topics: Record<string, number>;
  catalog: Product[];
  load: LoadProgress | null;
  appFaults: AppFaultView[];
  scenario: ScenarioProgress | null;
  /** A `lab chaos` run from another shell against this stack. */
  chaosRun: LiveRunView | null;
  activity: ActivityEntry[];
}

export interface Batch {
  snapshot: Snapshot;
  events: TappedEvent[];
}

const SLOW_POLL_MS = 1000;

export class ConsoleHub {
  readonly runtime: Runtime;
  readonly adminToken: string;
  readonly #home: string;
  #endpoints: Endpoints | undefined;
  #pools: Pools | undefined;
  #tap: BrokerTap | undefined;
  #shopper: Shopper | undefined;
  #kafka: Kafka | undefined;
  #timer: NodeJS.Timeout | undefined;
  #polling = false;
  #lastSlowPoll = 0;
  #faultSeq = 0;
  readonly #appFaults = new Map<number, { view: AppFaultView; active: ActiveFault }>();
  readonly #subscribers = new Set<(batch: Batch) => void>();
  readonly snapshot: Snapshot = {
    runtime: '',
    without: [],
    busy: null,
    processes: [],
    links: [],
    counters: [],
    orders: { counts: {}, recent: [] },
    topics: {},
    catalog: [],
    load: null,
    appFaults: [],
    scenario: null,
    chaosRun: null,
    activity: [],
  };

  constructor(options: { runtime: Runtime; adminToken: string; home: string }) {
    this.runtime = options.runtime;
    this.#home = options.home;
    this.adminToken = options.adminToken;
    this.snapshot.runtime = options.runtime.name;
  }

  log(message: string, level: ActivityEntry['level'] = 'info'): void {
    this.snapshot.activity.unshift({ time: new Date().toISOString(), message, level });
    this.snapshot.activity.length = Math.min(this.snapshot.activity.length, 60);
  }

  /** The stack's endpoints and the clients on them, made once per stack (a pattern switch resets them). */
  async #connect(): Promise<Endpoints> {
    if (this.#endpoints) return this.#endpoints;
    const endpoints = await this.runtime.endpoints();
    this.#pools = Object.fromEntries(
      DATABASE_SERVICES.map((service) => {
        const pool = new pg.Pool({
          connectionString: endpoints.databases[service],
          max: 2,
          idleTimeoutMillis: 5000,
          connectionTimeoutMillis: 3000,
        });
        pool.on('error', () => {});
        return [service, pool];
      }),
    ) as Pools;
    this.#shopper = new Shopper({ gatewayUrl: endpoints.gatewayUrl, adminToken: this.adminToken });
    this.#tap = new BrokerTap([endpoints.brokerBootstrap]);
    this.#endpoints = endpoints;
    return endpoints;
  }

  async #disconnect(): Promise<void> {
    const pools = this.#pools;
    const tap = this.#tap;
    this.#shopper?.stopLoad();
    this.#endpoints = undefined;
    this.#pools = undefined;
    this.#tap = undefined;
    this.#shopper = undefined;
    this.#kafka = undefined;
    await tap?.stop();
    await Promise.allSettled(Object.values(pools ?? {}).map((pool) => pool.end()));
  }

  subscribe(listener: (batch: Batch) => void): () => void {
    this.#subscribers.add(listener);
    if (!this.#timer) this.#timer = setInterval(() => void this.#tick(), 250);
    void this.#tick();
    return () => {
      this.#subscribers.delete(listener);
      if (this.#subscribers.size === 0) {
        clearInterval(this.#timer);
        this.#timer = undefined;
        void this.#tap?.stop();
      }
    };
  }

  /** Every 250 ms: tapped events out; every second: the slower sources (status, links, counters, orders). */
  async #tick(): Promise<void> {
    if (!this.snapshot.busy && Date.now() - this.#lastSlowPoll >= SLOW_POLL_MS && !this.#polling) {
      this.#polling = true;
      this.#lastSlowPoll = Date.now();
      try {
        await this.refresh();
      } finally {
        this.#polling = false;
      }
    }
    const events = this.#tap?.drain() ?? [];
    for (const [topic, count] of this.#tap?.totals ?? []) this.snapshot.topics[topic] = count;
    this.snapshot.load = this.#shopper?.load ?? null;
    const batch = { snapshot: this.snapshot, events };
    for (const listener of this.#subscribers) listener(batch);
  }

  async refresh(): Promise<void> {
    // The console's own scenario runs show in `scenario`; this is one started from a shell.
    this.snapshot.chaosRun =
      this.snapshot.scenario?.phase === 'done' || !this.snapshot.scenario ? liveChaosRun(this.#home) : null;
    const status = await this.runtime.status().catch(() => undefined);
    if (status) {
      this.snapshot.processes = status.processes;
      this.snapshot.without = status.without;
    }
    let endpoints: Endpoints;
    try {
      endpoints = await this.#connect();
    } catch {
      return;
    }
    const links = new FaultClient(endpoints.faultProxyUrl).links().catch(() => this.snapshot.links);
    const counters = scrapeCounters(endpoints.services);
    const orders = this.#pools ? orderSummary(this.#pools).catch(() => this.snapshot.orders) : undefined;
    const catalog =
      this.snapshot.catalog.length > 0 ? undefined : this.#shopper?.products().catch(() => [] as Product[]);
    if (this.#tap && !this.#tap.running && this.#subscribers.size > 0)
      this.#tap.start().catch((error) => this.log(`broker tap: ${(error as Error).message}`, 'warn'));
    this.snapshot.links = await links;
    this.snapshot.counters = await counters;
    if (orders) this.snapshot.orders = await orders;
    if (catalog) this.snapshot.catalog = await catalog;
  }

  async orderSaga(orderId: string) {
    await this.#connect();
    return this.#pools ? orderSaga(this.#pools, orderId) : undefined;
  }

  #assertIdle(): void {
    if (this.snapshot.busy)
      throw new LabError('E_BUSY', `the console is busy: ${this.snapshot.busy}. Try again when it is done.`);
  }

  async placeOrder(lines: Array<{ sku: string; quantity: number }>) {
    this.#assertIdle();
    await this.#connect();
    this.snapshot.catalog = await this.#shopper!.catalog();
    const order = await this.#shopper!.placeOrder(lines);
    this.log(
      `placed order ${order.id.slice(0, 8)} (${lines.map((l) => `${l.quantity}× ${l.sku}`).join(', ')})`,
    );
    return order;
  }

  async startLoad(orders: number, rate: number) {
    this.#assertIdle();
    await this.#connect();
    const products = await this.#shopper!.catalog();
    this.snapshot.catalog = products;
    this.log(`load: ${orders} orders at ${rate}/s`);
    return this.#shopper!.startLoad({ orders, rate, products });
  }

  stopLoad(): void {
    this.#shopper?.stopLoad();
    this.log('load stopped');
  }

  async faultClient(): Promise<FaultClient> {
    this.#assertIdle();
    return new FaultClient((await this.#connect()).faultProxyUrl);
  }

  async processAction(action: 'kill' | 'pause' | 'resume' | 'restart', target: string): Promise<void> {
    this.#assertIdle();
    this.log(`${action} ${target}`, action === 'kill' ? 'warn' : 'info');
    await this.runtime[action](target);
    this.log(`${target}: ${action} done`);
  }

  /** An app-level fault from the registry, applied as the chaos engine would; windowed ones stay until healed. */
  async applyFault(kind: string, options: Record<string, unknown>): Promise<AppFaultView | null> {
    this.#assertIdle();
    const { faultDefinition } = await import('../chaos/faults/index.ts');
    const definition = faultDefinition(kind);
    const parsed = definition.options.safeParse(options);
    if (!parsed.success)
      throw new LabError(
        'E_BAD_FAULT',
        `${kind}: ${parsed.error.issues.map((issue) => issue.message).join('; ')}`,
      );
    const endpoints = await this.#connect();
    const index = ++this.#faultSeq;
    const context: FaultContext = {
      runtime: this.runtime,
      endpoints,
      adminToken: this.adminToken,
      proxy: createProxyClient(endpoints.faultProxyUrl),
      kafka: () => {
        this.#kafka ??= new Kafka({
          clientId: 'lab-console',
          brokers: [endpoints.brokerBootstrap],
          logLevel: logLevel.NOTHING,
        });
        return this.#kafka;
      },
      random: createRandom(Date.now() >>> 0).fork(`console:${index}:${kind}`),
      decide: () => {},
      log: (message) => this.log(message),
      signal: new AbortController().signal,
      index: 1000 + index,
    };
    const target = definition.target(parsed.data);
    this.log(`fault ${kind} on ${target}`, 'warn');
    const active = await definition.apply(parsed.data, context);
    if (definition.timing === 'instant') return null;
    const view = { id: index, kind, target, since: new Date().toISOString() };
    this.#appFaults.set(index, { view, active });
    this.snapshot.appFaults = [...this.#appFaults.values()].map((entry) => entry.view);
    return view;
  }

  async healFault(id: number): Promise<void> {
    const entry = this.#appFaults.get(id);
    if (!entry) throw new LabError('E_UNKNOWN_FAULT', `no active console fault #${id}`);
    await entry.active.heal();
    this.#appFaults.delete(id);
    this.snapshot.appFaults = [...this.#appFaults.values()].map((candidate) => candidate.view);
    this.log(`healed ${entry.view.kind} on ${entry.view.target}`);
  }

  async #healAll(): Promise<void> {
    for (const id of [...this.#appFaults.keys()]) await this.healFault(id).catch(() => {});
  }

  /** Recreates the stack with these switches: every database is kept, every process restarts. */
  async switchPatterns(without: PatternSwitch[]): Promise<void> {
    this.#assertIdle();
    for (const pattern of without)
      if (!(PATTERN_SWITCHES as readonly string[]).includes(pattern))
        throw new LabError('E_BAD_SWITCH', `unknown pattern '${pattern}'`);
    const label = without.length ? `without ${without.join(', ')}` : 'with every pattern on';
    this.snapshot.busy = `recreating the stack ${label}`;
    this.log(`recreating the stack ${label}: every service restarts`, 'warn');
    try {
      await this.#healAll();
      await this.#disconnect();
      await this.runtime.down({ purge: false });
      await this.runtime.up({ without, onProgress: (message) => this.log(message) });
      this.log(`the stack is up ${label}`);
    } catch (error) {
      this.log(`recreating the stack failed: ${(error as Error).message}`, 'error');
      throw error;
    } finally {
      this.snapshot.busy = null;
      this.snapshot.catalog = [];
    }
  }

  /** A bundled scenario against this stack, left running afterwards; progress lands in the snapshot. */
  async runScenario(name: string): Promise<void> {
    this.#assertIdle();
    const { loadScenarioFile, resolveScenario } = await import('../chaos/loader.ts');
    const { runScenario } = await import('../chaos/engine.ts');
    const { StackManager } = await import('../chaos/stack.ts');
    const loaded = loadScenarioFile(resolveScenario(name));
    const progress: ScenarioProgress = { name, phase: 'stack', done: 0, failed: 0 };
    this.snapshot.scenario = progress;
    this.snapshot.busy = `running scenario ${name}`;
    this.log(`scenario ${name}: started`, 'warn');
    await this.#healAll();
    await this.#disconnect();
    const stack = new StackManager(this.runtime, { keep: true, log: (message) => this.log(message) });
    void runScenario({
      loaded,
      stack,
      signal: new AbortController().signal,
      onEvent: (event) => {
        if (event.type === 'phase') progress.phase = event.phase;
        if (event.type === 'operation' && event.entry.outcome === 'ok') progress.done++;
        if (event.type === 'operation' && event.entry.outcome === 'fail') progress.failed++;
        if (event.type === 'faults' && event.active.length)
          this.log(
            `scenario faults: ${event.active.map((fault) => `${fault.kind} ${fault.target}`).join(', ')}`,
          );
      },
    })
      .then((result) => {
        progress.verdict = result.verdict;
        progress.expectationMet = result.expectationMet;
        progress.runDir = result.runDir;
        this.log(
          `scenario ${name}: ${result.verdict} (${result.expectationMet ? 'as expected' : 'NOT as expected'})`,
        );
      })
      .catch((error) => {
        progress.error = (error as Error).message;
        this.log(`scenario ${name} failed: ${progress.error}`, 'error');
      })
      .finally(() => {
        progress.phase = 'done';
        this.snapshot.busy = null;
        this.snapshot.catalog = [];
      });
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#healAll();
    await this.#disconnect();
  }
}
