/**
 * npm run bench:saga — the shop's saga throughput and latency on the local runtime, no faults, for
 * each kit (reference, then fast) in one run, printed side by side with each stack's pgbench ceiling.
 *
 * Per kit:
 * 1. `lab up --kit K` in a throwaway LAB_HOME (real PostgreSQL, the lab's broker, seven services).
 * 2. The machine's PostgreSQL ceiling: pgbench simple-update TPS on the same cluster.
 * 3. Throughput: closed loop at several concurrencies (each worker places an order and waits for
 *    its OrderConfirmed/OrderCancelled on `orders`); completed sagas/s at the best one.
 * 4. Latency: VACUUM (ANALYZE) of every service database (as pgbench does before a run), then an
 *    open loop at the kit's rate (after a warm-up at that rate); p50/p99 from "POST /orders sent" to
 *    the order's completed_at; the outbox publish lag p99 (published_at - created_at, every
 *    service's outbox).
 * 5. Peak RSS of every service process, sampled throughout.
 * 6. The machine: cores, and on a virtual machine the CPU steal during each phase (time the
 *    hypervisor gave to others, which makes the same code measure slower).
 *
 * Then, per kit, tracing's cost (services/kit/tracing.ts): two stacks side by side, one exporting
 * spans to its span receiver, one with LAB_TRACING=off, loaded in turn with the same closed loop
 * (on, off, off, on, ...: a machine shared with other work slows both alike); sagas/s of each and
 * spans per order. Last, the report of a 1000-order `lab chaos` run with real traces: its size and
 * the time writeReport takes.
 *
 * The cluster runs with the local runtime's settings: synchronous_commit=on unless
 * LAB_PG_SYNCHRONOUS_COMMIT says otherwise (pgbench then measures the same setting).
 *
 * Options (env): BENCH_SECONDS (per concurrency, default 10), BENCH_CONCURRENCY (default 16,32,64,128,256),
 * BENCH_RATE_REFERENCE (default 25) and BENCH_RATE_FAST (default 50) orders/s, BENCH_RATE_SECONDS
 * (default 20, measured after BENCH_RATE_WARMUP_SECONDS, default 5, at the same rate), BENCH_KITS
 * (default reference,fast), BENCH_PHASES (default kits,tracing,report), BENCH_TRACING_CONCURRENCY
 * (default 64), BENCH_TRACING_ROUNDS (default 3) and BENCH_TRACING_SECONDS (default 10 per side and
 * round), BENCH_REPORT_ORDERS (default 1000).
 *
 * Targets (issue 13): fast kit >= 0.075 x pgbench TPS and p99 < 300 ms at 50 orders/s; reference kit
 * >= 50 sagas/s and p99 < 500 ms at 25 orders/s. Issue 14: tracing on >= 0.9 x off; the report of
 * 1000 orders written in under 3 s, under 5 MB.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { writeReport } from '../cli/report/write.ts';
import { LocalRuntime } from '../cli/runtime/local/local-runtime.ts';
// The bench's own kafkajs consumer, without a 1 ms timer loop taking CPU from the stack.
import '../services/kit/kafkajs-timer-fix.ts';
import { locatePostgres } from '../infra/postgres/binaries.ts';

const execFileAsync = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '..');
const LAB = path.join(ROOT, 'bin/lab');
const settings = process.env;
const SECONDS = Number(settings.BENCH_SECONDS ?? 10);
const CONCURRENCY = (settings.BENCH_CONCURRENCY ?? '16,32,64,128,256').split(',').map(Number);
const RATE_SECONDS = Number(settings.BENCH_RATE_SECONDS ?? 20);
const RATE_WARMUP_SECONDS = Number(settings.BENCH_RATE_WARMUP_SECONDS ?? 5);
type Kit = 'reference' | 'fast';
const KITS = (settings.BENCH_KITS ?? 'reference,fast').split(',') as Kit[];
const RATES: Record<Kit, number> = {
  reference: Number(settings.BENCH_RATE_REFERENCE ?? 25),
  fast: Number(settings.BENCH_RATE_FAST ?? 50),
};
const PHASES = new Set((settings.BENCH_PHASES ?? 'kits,tracing,report').split(','));
const TRACING = {
  concurrency: Number(settings.BENCH_TRACING_CONCURRENCY ?? 64),
  rounds: Number(settings.BENCH_TRACING_ROUNDS ?? 3),
  seconds: Number(settings.BENCH_TRACING_SECONDS ?? 10),
};
const REPORT_ORDERS = Number(settings.BENCH_REPORT_ORDERS ?? 1000);
const TARGETS: Record<Kit, { sagasPerSecond?: number; ofPgbench?: number; p99Ms: number }> = {
  reference: { sagasPerSecond: 50, p99Ms: 500 },
  fast: { ofPgbench: 0.075, p99Ms: 300 },
};

function lab(env: NodeJS.ProcessEnv, ...args: string[]) {
  return execFileAsync(process.execPath, [LAB, ...args], { env, maxBuffer: 16 * 1024 * 1024 });
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * The load generator shares the stack's two cores, so it is kept cheap: node:http through a
 * keep-alive agent costs a third of what fetch does per request (no WHATWG streams, Headers or
 * AbortSignal), as in the gateway.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });

function post<Answer>(url: string, body: unknown, headers: Record<string, string>): Promise<Answer> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        agent,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(payload),
          ...headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          const status = response.statusCode ?? 0;
          if (status < 200 || status >= 300) reject(new Error(`${url}: ${status} ${text}`));
          else resolve(JSON.parse(text) as Answer);
        });
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}

/**
 * Resolves each order's wait when its outcome (OrderConfirmed or OrderCancelled) reaches the
 * broker: the bench follows a saga as any consumer of `orders` would, and adds no query to the
 * stack's databases (polling the order database for up to 128 waiting orders every few ms was
 * the busiest statement on it).
 */
class Finisher {
  readonly #waiting = new Map<string, () => void>();
  /** Outcomes that arrived before their order's POST answered. */
  readonly #early = new Set<string>();
  readonly #consumer: Consumer;

  private constructor(consumer: Consumer) {
    this.#consumer = consumer;
  }

  static async start(brokerBootstrap: string): Promise<Finisher> {
    const kafka = new Kafka({
      clientId: 'bench-saga',
      brokers: [brokerBootstrap],
      logLevel: logLevel.NOTHING,
    });
    const consumer = kafka.consumer({ groupId: `bench-saga-${Date.now()}`, maxWaitTimeInMs: 1000 });
    const finisher = new Finisher(consumer);
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.connect();
    // Only outcomes from now on: the group starts at the end of the topic.
    await consumer.subscribe({ topics: ['orders'], fromBeginning: false });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const type = message.headers?.['event-type']?.toString();
        if (type !== 'OrderConfirmed' && type !== 'OrderCancelled') return;
        finisher.#finished(message.key?.toString() ?? '');
      },
    });
    await joined;
    return finisher;
  }

  #finished(orderId: string): void {
    const resolve = this.#waiting.get(orderId);
    if (!resolve) {
      this.#early.add(orderId);
      return;
    }
    this.#waiting.delete(orderId);
    resolve();
  }

  wait(orderId: string): Promise<void> {
    if (this.#early.delete(orderId)) return Promise.resolve();
    return new Promise((resolve) => this.#waiting.set(orderId, resolve));
  }

  async close() {
    await this.#consumer.disconnect();
  }
}

class RssSampler {
  readonly peak = new Map<string, number>();
  #timer: NodeJS.Timeout;

  constructor(processes: Array<{ name: string; kind: string; pid?: number | undefined }>) {
    const sample = () => {
      for (const proc of processes) {
        if (proc.kind !== 'service' || !proc.pid) continue;
        try {
          const kb = Number(
            /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))?.[1] ?? 0,
          );
          this.peak.set(proc.name, Math.max(this.peak.get(proc.name) ?? 0, kb / 1024));
        } catch {
          // gone: nothing to sample
        }
      }
    };
    sample();
    this.#timer = setInterval(sample, 500);
  }

  stop() {
    clearInterval(this.#timer);
  }
}

/**
 * CPU seconds (user + system) used so far by each of the stack's processes; a process's children
 * (the postmaster's backends, walwriter, ...) count towards it.
 */
/** The machine's CPU time so far, from /proc/stat: all of it, and what the hypervisor took (steal). */
function machineCpuTicks(): { total: number; steal: number } {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already counted in user)
  const total = fields.slice(0, 8).reduce((sum, ticks) => sum + ticks, 0);
  return { total, steal: fields[7] ?? 0 };
}

/** Percent of the machine's CPU time the hypervisor took since `before`: cores the stack did not get. */
function stealPercentSince(before: { total: number; steal: number }): number {
  const now = machineCpuTicks();
  return Number(((100 * (now.steal - before.steal)) / Math.max(1, now.total - before.total)).toFixed(1));
}

function stackCpuSeconds(processes: Array<{ name: string; pid?: number | undefined }>): Map<string, number> {
  const statFields = (pid: number) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = (pid: number) => {
    try {
      const fields = statFields(pid);
      // utime, stime, cutime, cstime: fields 14-17 of /proc/<pid>/stat, 11-14 after the split
      return [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0);
    } catch {
      return 0;
    }
  };
  const parents = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      parents.set(Number(entry), Number(statFields(Number(entry))[1]));
    } catch {
      // gone
    }
  }
  const seconds = new Map<string, number>();
  for (const proc of processes) {
    if (!proc.pid) continue;
    const pids = [proc.pid, ...[...parents].filter(([, parent]) => parent === proc.pid).map(([pid]) => pid)];
    seconds.set(proc.name, pids.reduce((sum, pid) => sum + ticks(pid), 0) / 100); // USER_HZ
  }
  return seconds;
}

/** Sum and count of the kit's batch histograms, over every service (from /metrics). */
async function batchTotals(
  services: Record<string, string>,
): Promise<Record<string, { sum: number; count: number }>> {
  const totals: Record<string, { sum: number; count: number }> = {
    consumer: { sum: 0, count: 0 },
    relay: { sum: 0, count: 0 },
  };
  for (const url of Object.values(services)) {
    const text = await fetch(`${url}/metrics`).then(
      (response) => response.text(),
      () => '',
    );
    for (const kind of ['consumer', 'relay'] as const) {
      for (const part of ['sum', 'count'] as const) {
        const match = new RegExp(`^lab_${kind}_batch_events_${part}(?:\\{[^}]*\\})? ([\\d.e+]+)$`, 'm').exec(
          text,
        );
        totals[kind]![part] += Number(match?.[1] ?? 0);
      }
    }
  }
  return totals;
}

/** When each order reached its terminal state, from the order database (once, after the run). */
async function completedAt(orderDb: string, ids: string[]): Promise<Map<string, Date>> {
  const client = new pg.Client({ connectionString: orderDb });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string; completed_at: Date }>(
      'SELECT id, completed_at FROM orders WHERE id = ANY($1::uuid[])',
      [ids],
    );
    return new Map(rows.map((row) => [row.id, row.completed_at]));
  } finally {
    await client.end();
  }
}

/**
 * Where the time of a saga goes: p50/p99 of each step, from one event's creation to the next's
 * (each step is a commit, the relay's publish, the broker, and the next service's consume).
 */
async function stepLatencies(
  orderDb: string,
  ids: string[],
): Promise<Record<string, { p50: number; p99: number }>> {
  const client = new pg.Client({ connectionString: orderDb });
  await client.connect();
  try {
    const { rows } = await client.query<{ step: string; p50: number; p99: number }>(
      `WITH events AS (
         SELECT order_id, event_type, min(occurred_at) AS at FROM order_history
         WHERE order_id = ANY($1::uuid[]) GROUP BY order_id, event_type
       ), steps AS (
         SELECT placed.order_id, step, extract(epoch FROM later.at - earlier.at) * 1000 AS ms
         FROM events placed
         CROSS JOIN LATERAL (VALUES
           ('OrderPlaced->StockReserved', 'OrderPlaced', 'StockReserved'),
           ('StockReserved->PaymentCaptured', 'StockReserved', 'PaymentCaptured'),
           ('PaymentCaptured->OrderConfirmed', 'PaymentCaptured', 'OrderConfirmed')) AS s(step, from_type, to_type)
         JOIN events earlier ON earlier.order_id = placed.order_id AND earlier.event_type = s.from_type
         JOIN events later ON later.order_id = placed.order_id AND later.event_type = s.to_type
         WHERE placed.event_type = 'OrderPlaced'
       )
       SELECT step, round(percentile_disc(0.5) WITHIN GROUP (ORDER BY ms))::int AS p50,
              round(percentile_disc(0.99) WITHIN GROUP (ORDER BY ms))::int AS p99
       FROM steps GROUP BY step ORDER BY min(CASE step WHEN 'OrderPlaced->StockReserved' THEN 1
         WHEN 'StockReserved->PaymentCaptured' THEN 2 ELSE 3 END)`,
      [ids],
    );
    return Object.fromEntries(rows.map((row) => [row.step, { p50: row.p50, p99: row.p99 }]));
  } finally {
    await client.end();
  }
}

async function pgbenchTps(adminUrl: string): Promise<number> {
  const bin = locatePostgres()?.binDir;
  if (!bin) return Number.NaN;
  const url = new URL(adminUrl);
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  await client.query('DROP DATABASE IF EXISTS pgbench');
  await client.query('CREATE DATABASE pgbench');
  await client.end();
  const pgEnv = {
    ...process.env,
    PGPASSWORD: decodeURIComponent(url.password),
    PGHOST: url.hostname,
    PGPORT: url.port,
    PGUSER: decodeURIComponent(url.username),
  };
  spawnSync(path.join(bin, 'pgbench'), ['-i', '-q', '-s', '10', 'pgbench'], { env: pgEnv });
  const run = spawnSync(
    path.join(bin, 'pgbench'),
    ['-b', 'simple-update', '-c', '8', '-j', '2', '-T', '10', 'pgbench'],
    {
      env: pgEnv,
      encoding: 'utf8',
    },
  );
  return Number(/tps = ([\d.]+)/.exec(run.stdout)?.[1] ?? Number.NaN);
}

type StackHome = { home: string; env: NodeJS.ProcessEnv };

/** Every stack up or on its way up, so an interrupted bench takes them all down. */
const liveStacks = new Set<StackHome>();
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    console.error(`bench:saga: ${signal}, stopping ${liveStacks.size} stack(s)`);
    void Promise.allSettled([...liveStacks].map(downStack)).then(() => process.exit(130));
  });

/**
 * A stack of `kit` in a throwaway LAB_HOME (`extraEnv` reaches the services, e.g. LAB_TRACING):
 * without the demo bakery, whose oven and price ticker would load it, and without the console.
 */
async function upStack(kit: Kit, extraEnv: NodeJS.ProcessEnv = {}) {
  const home = mkdtempSync(path.join(tmpdir(), `lab-bench-saga-${kit}-`));
  const env: NodeJS.ProcessEnv = { ...process.env, ...extraEnv, LAB_HOME: home, LAB_LOG_LEVEL: 'warn' };
  liveStacks.add({ home, env });
  console.error(`bench:saga: lab up --kit ${kit} in ${home} (${cpus().length} cores)`);
  try {
    await lab(env, 'up', '--runtime', 'local', '--kit', kit, '--no-seed', '--no-ui');
  } catch (error) {
    // `lab up` stopped what it started; the home still holds the logs that say why.
    console.error(`bench:saga: lab up failed; logs kept in ${home}/logs`);
    throw error;
  }
  // The runtime's own view, with the real database URLs (`lab status` masks their passwords).
  const runtime = new LocalRuntime({ home });
  const endpoints = await runtime.endpoints();
  return { home, env, runtime, endpoints, processes: (await runtime.status()).processes };
}

async function downStack(stack: StackHome): Promise<void> {
  for (const live of liveStacks) if (live.home === stack.home) liveStacks.delete(live);
  await lab(stack.env, 'down', ...(stack.env.BENCH_KEEP_HOME ? [] : ['--purge'])).catch((error) =>
    console.error(`lab down failed: ${error.message}`),
  );
  if (!stack.env.BENCH_KEEP_HOME) rmSync(stack.home, { recursive: true, force: true });
}

/**
 * Seeds one product with plenty of stock and customers with plenty of money; `place(i)` places an
 * order (customer i mod 32) and resolves when its saga finished.
 */
async function shopper(endpoints: { gatewayUrl: string; adminToken: string; brokerBootstrap: string }) {
  const gateway = endpoints.gatewayUrl;
  const admin = { 'x-lab-admin-token': endpoints.adminToken };
  await post(
    `${gateway}/api/admin/products`,
    { sku: 'bench-bread', price_cents: 100, stock: { units: 60_000 } },
    admin,
  );
  const customers: string[] = [];
  for (let i = 0; i < 32; i++)
    customers.push(
      (
        await post<{ token: string }>(
          `${gateway}/api/admin/customers`,
          { email: `bench${i}@example.com`, password: 'bench password', balance_cents: 100_000_000 },
          admin,
        )
      ).token,
    );
  const finisher = await Finisher.start(endpoints.brokerBootstrap);
  const place = async (i: number) => {
    const sent = new Date();
    const placed = await post<{ order: { id: string } }>(
      `${gateway}/api/order/orders`,
      { lines: [{ sku: 'bench-bread', quantity: 1 }] },
      {
        authorization: `Bearer ${customers[i % customers.length]}`,
      },
    );
    await finisher.wait(placed.order.id);
    return { id: placed.order.id, sent };
  };
  // Warm up (JIT, connection pools, consumer assignments).
  await Promise.all(Array.from({ length: 40 }, (_, i) => place(i)));
  return { place, finisher };
}

/** Sagas/s of a closed loop of `concurrency` workers for `seconds`. */
async function closedLoop(
  place: (i: number) => Promise<unknown>,
  concurrency: number,
  seconds: number,
): Promise<{ done: number; seconds: number }> {
  let done = 0;
  const until = Date.now() + seconds * 1000;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      for (let i = worker; Date.now() < until; i += concurrency) {
        await place(i);
        done += 1;
      }
    }),
  );
  return { done, seconds: (Date.now() - started) / 1000 };
}

async function benchKit(kit: Kit): Promise<Record<string, unknown>> {
  const RATE = RATES[kit];
  const stack = await upStack(kit);
  const { endpoints, processes } = stack;
  const orderDb = endpoints.databases.order;
  const rss = new RssSampler(processes);
  const results: Record<string, unknown> = { kit };
  let finisher: Finisher | undefined;
  try {
    const shop = await shopper(endpoints);
    finisher = shop.finisher;
    const place = shop.place;

    const throughput: Record<number, number> = {};
    const cpuBefore = stackCpuSeconds(processes);
    const batchesBefore = await batchTotals(endpoints.services);
    const clientCpuBefore = process.cpuUsage();
    const closedLoopTicks = machineCpuTicks();
    let sagas = 0;
    for (const concurrency of CONCURRENCY) {
      const { done, seconds } = await closedLoop(place, concurrency, SECONDS);
      throughput[concurrency] = done / seconds;
      sagas += done;
      console.error(`  concurrency ${concurrency}: ${throughput[concurrency]!.toFixed(1)} sagas/s`);
    }
    const best = Object.entries(throughput).sort((a, b) => b[1] - a[1])[0]!;
    results.sagas_per_second = {
      best: Number(best[1].toFixed(1)),
      at_concurrency: Number(best[0]),
      by_concurrency: throughput,
    };
    const closedLoopSteal = stealPercentSince(closedLoopTicks);
    // Independent of what else the machine runs: what one saga costs the whole stack in CPU time,
    // and so how many sagas/s the machine's cores could carry at best.
    // Per process too: which part of the stack a saga's CPU goes to.
    const cpuByProcess = [...stackCpuSeconds(processes)]
      .map(([name, seconds]) => [name, ((seconds - (cpuBefore.get(name) ?? 0)) * 1000) / sagas] as const)
      .sort((a, b) => b[1] - a[1]);
    const cpuPerSaga = cpuByProcess.reduce((sum, [, ms]) => sum + ms, 0) / 1000;
    results.cpu_ms_per_saga = Number((cpuPerSaga * 1000).toFixed(1));
    results.cpu_ms_per_saga_by_process = Object.fromEntries(
      cpuByProcess.map(([name, ms]) => [name, Number(ms.toFixed(1))]),
    );
    // The load generator shares the cores: what it took is what the stack could not have.
    const clientCpu = process.cpuUsage(clientCpuBefore);
    results.load_generator_cpu_ms_per_saga = Number(
      ((clientCpu.user + clientCpu.system) / 1000 / sagas).toFixed(1),
    );
    // How many events one commit carried during the closed loop: the lever of throughput.
    const batchesAfter = await batchTotals(endpoints.services);
    const meanBatch = (kind: 'consumer' | 'relay') =>
      Number(
        (
          (batchesAfter[kind]!.sum - batchesBefore[kind]!.sum) /
          Math.max(1, batchesAfter[kind]!.count - batchesBefore[kind]!.count)
        ).toFixed(2),
      );
    results.mean_events_per_commit = { consumer: meanBatch('consumer'), relay: meanBatch('relay') };
    results.cpu_bound_sagas_per_second = Number((cpus().length / cpuPerSaga).toFixed(1));

    // The closed loop left tens of thousands of new and updated rows. On a fresh cluster the first
    // autovacuum and autoanalyze of all of them would land in the middle of the rate phase, so they
    // are done here, as pgbench vacuums before a run: the rate phase measures the steady state.
    const vacuumStarted = Date.now();
    for (const url of Object.values(endpoints.databases)) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      await client.query('VACUUM (ANALYZE)');
      await client.end();
    }
    results.vacuum_analyze_seconds_between_phases = Number(((Date.now() - vacuumStarted) / 1000).toFixed(1));

    // Open loop at RATE orders/s; latency from "POST sent" to the order's completed_at. The first
    // RATE_WARMUP_SECONDS are not measured: the closed loop's last work (and the autovacuum it
    // triggers) is still draining then, and the figure is meant for the steady state at this rate.
    const warmupOrders = RATE * RATE_WARMUP_SECONDS;
    let measureFrom = new Date();
    const placedAtRate: Array<{ id: string; sent: Date }> = [];
    const ratePhaseTicks = machineCpuTicks();
    const inFlight: Array<Promise<void>> = [];
    const start = Date.now();
    for (let i = 0; i < warmupOrders + RATE * RATE_SECONDS; i++) {
      const due = start + (i * 1000) / RATE;
      if (due > Date.now()) await sleep(due - Date.now());
      if (i === warmupOrders) measureFrom = new Date();
      const measured = i >= warmupOrders;
      inFlight.push(
        place(i).then((order) => {
          if (measured) placedAtRate.push(order);
        }),
      );
    }
    await Promise.all(inFlight);
    const ratePhaseSteal = stealPercentSince(ratePhaseTicks);
    const completed = await completedAt(
      orderDb,
      placedAtRate.map((order) => order.id),
    );
    const latencies = placedAtRate
      .map((order) => completed.get(order.id)!.getTime() - order.sent.getTime())
      .sort((a, b) => a - b);
    results.latency_ms_at_rate = {
      rate: RATE,
      orders: latencies.length,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: latencies.at(-1),
    };
    results.latency_ms_by_saga_step = await stepLatencies(
      orderDb,
      placedAtRate.map((order) => order.id),
    );
    const lags: number[] = [];
    for (const url of Object.values(endpoints.databases)) {
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const { rows } = await client.query<{ ms: number }>(
        `SELECT extract(epoch FROM (published_at - created_at)) * 1000 AS ms FROM outbox WHERE created_at >= $1 AND published_at IS NOT NULL`,
        [measureFrom],
      );
      lags.push(...rows.map((row) => Number(row.ms)));
      await client.end();
    }
    lags.sort((a, b) => a - b);
    results.outbox_publish_lag_ms = {
      events: lags.length,
      p50: percentile(lags, 50),
      p99: percentile(lags, 99),
    };
    rss.stop();
    results.rss_mb_peak = Object.fromEntries(
      [...rss.peak].map(([name, mb]) => [name, Number(mb.toFixed(1))]),
    );

    const credentials = JSON.parse(
      readFileSync(path.join(stack.home, 'data/postgres/lab-credentials.json'), 'utf8'),
    );
    const pgPort = new URL(orderDb).port;
    results.pgbench_simple_update_tps = await pgbenchTps(
      `postgres://${credentials.admin.user}:${encodeURIComponent(credentials.admin.password)}@127.0.0.1:${pgPort}/postgres`,
    );
    results.machine = {
      cores: cpus().length,
      node: process.version,
      synchronous_commit: stack.env.LAB_PG_SYNCHRONOUS_COMMIT || 'on',
      // On a virtual machine, the share of CPU time the hypervisor gave to others: the same code
      // measures slower when it is high.
      cpu_steal_percent: { closed_loop: closedLoopSteal, rate_phase: ratePhaseSteal },
    };
  } finally {
    rss.stop();
    await finisher?.close();
    await downStack(stack);
  }
  return results;
}

/** Lines of a JSON-lines file. */
function lineCount(file: string): number {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line !== '').length;
  } catch {
    return 0;
  }
}

async function orderCount(orderDb: string): Promise<number> {
  const client = new pg.Client({ connectionString: orderDb });
  await client.connect();
  try {
    return (await client.query<{ n: number }>('SELECT count(*)::int AS n FROM orders')).rows[0]!.n;
  } finally {
    await client.end();
  }
}

/** Tracing on against off, the two stacks loaded in turn (see the top of this file). */
async function tracingOnOff(kit: Kit): Promise<Record<string, unknown>> {
  const on = await upStack(kit);
  let off: Awaited<ReturnType<typeof upStack>> | undefined;
  const finishers: Finisher[] = [];
  try {
    off = await upStack(kit, { LAB_TRACING: 'off' });
    const stacks = { on, off };
    const shops = { on: await shopper(on.endpoints), off: await shopper(off.endpoints) };
    finishers.push(shops.on.finisher, shops.off.finisher);
    const totals = { on: { done: 0, seconds: 0, cpu: 0 }, off: { done: 0, seconds: 0, cpu: 0 } };
    // CPU seconds of a stack's processes: what a saga costs, whatever else the machine runs.
    const cpuOf = (side: 'on' | 'off') =>
      [...stackCpuSeconds(stacks[side].processes).values()].reduce((sum, seconds) => sum + seconds, 0);
    for (let round = 0; round < TRACING.rounds; round++) {
      for (const side of round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
        const cpuBefore = cpuOf(side);
        const { done, seconds } = await closedLoop(shops[side].place, TRACING.concurrency, TRACING.seconds);
        totals[side].done += done;
        totals[side].seconds += seconds;
        totals[side].cpu += cpuOf(side) - cpuBefore;
        console.error(`  tracing ${side}, round ${round + 1}: ${(done / seconds).toFixed(1)} sagas/s`);
      }
    }
    const cpuMsPerSaga = (side: 'on' | 'off') => (1000 * totals[side].cpu) / totals[side].done;
    const rate = (side: 'on' | 'off') => totals[side].done / totals[side].seconds;
    // Exporters send every second: let the last batches arrive before counting.
    await sleep(2000);
    return {
      kit,
      concurrency: TRACING.concurrency,
      rounds: TRACING.rounds,
      on_sagas_per_second: Number(rate('on').toFixed(1)),
      off_sagas_per_second: Number(rate('off').toFixed(1)),
      on_of_off: Number((rate('on') / rate('off')).toFixed(3)),
      cpu_ms_per_saga_on: Number(cpuMsPerSaga('on').toFixed(1)),
      cpu_ms_per_saga_off: Number(cpuMsPerSaga('off').toFixed(1)),
      spans_per_order: Number(
        (
          lineCount(path.join(on.home, 'spans.jsonl')) / (await orderCount(on.endpoints.databases.order))
        ).toFixed(1),
      ),
    };
  } finally {
    await Promise.all(finishers.map((finisher) => finisher.close()));
    await downStack(on);
    if (off) await downStack(off);
  }
}

/** The report of a real run of REPORT_ORDERS orders, with its traces: size and write time. */
async function reportOfRun(kit: Kit): Promise<Record<string, unknown>> {
  const stack = await upStack(kit);
  try {
    const scenario = path.join(stack.home, 'bench-report.yaml');
    writeFileSync(
      scenario,
      [
        'name: bench-report',
        `description: ${REPORT_ORDERS} orders and no faults, for the size and write time of their report.`,
        'seed: 1',
        'setup:',
        '  customers: 50',
        '  balance: 10000.00',
        '  products:',
        `    - { sku: bench-bread, price: 1.00, stock: ${REPORT_ORDERS * 5} }`,
        'workload:',
        `  orders: ${REPORT_ORDERS}`,
        '  rate: 50/s',
        '  concurrency: 32',
        'settle: 60s',
        'expect:',
        '  verdict: valid',
        '  checks: [sagas_terminal]',
        '',
      ].join('\n'),
    );
    const chaos = await lab(stack.env, 'chaos', scenario, '--runtime', 'local', '--kit', kit, '--keep').catch(
      (error: { stdout?: string; stderr?: string }) => ({
        stdout: error.stdout ?? '',
        stderr: error.stderr ?? '',
      }),
    );
    const reportFile = /report:\s+(\S+report\.html)/.exec(`${chaos.stdout}\n${chaos.stderr}`)?.[1];
    if (!reportFile) throw new Error(`lab chaos wrote no report:\n${chaos.stdout}\n${chaos.stderr}`);
    const runDir = path.dirname(reportFile);
    writeReport(runDir); // the first write also reads uPlot and the page's modules
    const written = writeReport(runDir);
    const spans = lineCount(path.join(runDir, 'traces.jsonl'));
    return {
      kit,
      orders: REPORT_ORDERS,
      spans,
      spans_per_order: Number((spans / REPORT_ORDERS).toFixed(1)),
      report_mb: Number((written.bytes / 1024 / 1024).toFixed(2)),
      report_write_ms: written.ms,
    };
  } finally {
    await downStack(stack);
  }
}

interface KitFigures {
  sagas_per_second: { best: number };
  latency_ms_at_rate: { rate: number; p50: number; p99: number };
  outbox_publish_lag_ms: { p99: number };
  cpu_ms_per_saga: number;
  pgbench_simple_update_tps: number;
  machine: { cpu_steal_percent: { closed_loop: number; rate_phase: number } };
}

/** Both kits side by side, each against its targets. */
function sideBySide(byKit: Partial<Record<Kit, KitFigures>>): string {
  const kits = KITS.filter((kit) => byKit[kit]);
  const row = (label: string, cell: (figures: KitFigures, kit: Kit) => string) =>
    `${label.padEnd(34)}${kits.map((kit) => cell(byKit[kit]!, kit).padEnd(34)).join('')}`;
  const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');
  return [
    row('', (_, kit) => kit),
    row('sagas/s (best concurrency)', (f) => `${f.sagas_per_second.best}`),
    row('pgbench simple-update TPS', (f) => `${Math.round(f.pgbench_simple_update_tps)}`),
    row('sagas/s / pgbench TPS', (f) => (f.sagas_per_second.best / f.pgbench_simple_update_tps).toFixed(3)),
    row(
      'p50 / p99 at rate',
      (f) => `${f.latency_ms_at_rate.p50} / ${f.latency_ms_at_rate.p99} ms @ ${f.latency_ms_at_rate.rate}/s`,
    ),
    row('outbox publish lag p99', (f) => `${f.outbox_publish_lag_ms.p99.toFixed(0)} ms`),
    row('CPU per saga (whole stack)', (f) => `${f.cpu_ms_per_saga} ms`),
    row(
      'CPU steal closed loop / rate',
      (f) => `${f.machine.cpu_steal_percent.closed_loop} / ${f.machine.cpu_steal_percent.rate_phase}%`,
    ),
    row('target', (f, kit) => {
      const target = TARGETS[kit];
      const throughput =
        target.sagasPerSecond !== undefined
          ? f.sagas_per_second.best >= target.sagasPerSecond
          : f.sagas_per_second.best >= (target.ofPgbench ?? 0) * f.pgbench_simple_update_tps;
      const latency = f.latency_ms_at_rate.p99 < target.p99Ms;
      return `throughput ${verdict(throughput)}, p99 ${verdict(latency)}`;
    }),
  ].join('\n');
}

const byKit: Partial<Record<Kit, KitFigures>> = {};
const figures: Record<string, unknown> = {};
if (PHASES.has('kits')) {
  for (const kit of KITS) {
    const results = await benchKit(kit);
    figures[kit] = results;
    byKit[kit] = results as unknown as KitFigures;
  }
  console.error(`\n${sideBySide(byKit)}\n`);
}
if (PHASES.has('tracing')) {
  const tracing: Record<string, Record<string, unknown>> = {};
  for (const kit of KITS) tracing[kit] = await tracingOnOff(kit);
  figures.tracing = tracing;
  for (const [kit, result] of Object.entries(tracing))
    console.error(
      `tracing ${kit.padEnd(10)} on ${result.on_sagas_per_second} / off ${result.off_sagas_per_second} sagas/s = ${result.on_of_off} (target >= 0.9: ${Number(result.on_of_off) >= 0.9 ? 'ok' : 'MISSED'}), CPU per saga on ${result.cpu_ms_per_saga_on} / off ${result.cpu_ms_per_saga_off} ms, ${result.spans_per_order} spans per order`,
    );
}
if (PHASES.has('report')) {
  const report = await reportOfRun(KITS[0]!);
  figures.report = report;
  console.error(
    `report of ${report.orders} orders (${report.spans} spans): ${report.report_mb} MB in ${report.report_write_ms} ms (targets < 5 MB, < 3000 ms: ${Number(report.report_mb) < 5 && Number(report.report_write_ms) < 3000 ? 'ok' : 'MISSED'})`,
  );
}
console.log(JSON.stringify(figures, null, 2));
