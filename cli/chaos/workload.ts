/**
 * The workload: an open-loop stream of "place an order" operations at the scenario's rate, at most
 * `concurrency` in flight. What each operation does (customer, lines, quantities) is planned up
 * front from the seeded random source, so the same seed gives the same workload however the run's
 * timing goes. Every operation lands in history.jsonl with its start, end and outcome.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { History, OperationEntry, Outcome } from './history.ts';
import type { Random } from './random.ts';
import type { Scenario } from './schema.ts';

export interface PlannedOrder {
  index: number;
  /** Index into the setup's customers. */
  customer: number;
  lines: Array<{ product: number; quantity: number }>;
}

export function planWorkload(scenario: Scenario, random: Random): PlannedOrder[] {
  const { orders, lines, quantity } = scenario.workload;
  const productIndexes = scenario.setup.products.map((_, index) => index);
  return Array.from({ length: orders }, (_, index) => {
    const customer = random.int(0, scenario.setup.customers - 1);
    const count = Math.min(random.int(lines.min, lines.max), productIndexes.length);
    const products = random.sample(productIndexes, count);
    return {
      index,
      customer,
      lines: products.map((product) => ({ product, quantity: random.int(quantity.min, quantity.max) })),
    };
  });
}

export interface WorkloadCustomer {
  id: string;
  token: string;
}

export interface WorkloadOptions {
  plan: PlannedOrder[];
  customers: WorkloadCustomer[];
  /** SKUs as created by the setup (namespaced per run). */
  skus: string[];
  gatewayUrl: string;
  ratePerSecond: number;
  concurrency: number;
  timeoutMs: number;
  history: History;
  signal: AbortSignal;
  onOperation?(entry: OperationEntry): void;
}

/** Outcome of an HTTP answer: 2xx ok; 4xx the order certainly was not placed; 5xx may or may not have been. */
function outcomeOf(status: number): Outcome {
  if (status >= 200 && status < 300) return 'ok';
  if (status >= 400 && status < 500) return 'fail';
  return 'info';
}

/** A connection that never opened means the request was never sent: a certain failure. */
function isConnectRefused(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code === 'ECONNREFUSED';
}

async function placeOrder(
  options: WorkloadOptions,
  planned: PlannedOrder,
  worker: number,
): Promise<OperationEntry> {
  const customer = options.customers[planned.customer]!;
  const lines = planned.lines.map((line) => ({ sku: options.skus[line.product]!, quantity: line.quantity }));
  const start = options.history.now();
  const base = {
    type: 'op' as const,
    index: planned.index,
    op: 'place-order' as const,
    worker,
    customer: customer.id,
    lines,
  };
  try {
    const response = await fetch(new URL('/api/order/orders', options.gatewayUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${customer.token}` },
      body: JSON.stringify({ lines }),
      signal: AbortSignal.any([AbortSignal.timeout(options.timeoutMs), options.signal]),
    });
    const text = await response.text();
    const end = options.history.now();
    let body: { order?: { id?: string }; error?: { code?: string; message?: string } } = {};
    try {
      body = JSON.parse(text);
    } catch {
      // A non-JSON answer (a proxy's error page): its status still says what happened.
    }
    const outcome = outcomeOf(response.status);
    return {
      ...base,
      start,
      end,
      outcome,
      status: response.status,
      ...(body.order?.id ? { orderId: body.order.id } : {}),
      ...(outcome === 'ok'
        ? {}
        : { error: body.error ? `${body.error.code}: ${body.error.message}` : text.slice(0, 200) }),
    };
  } catch (error) {
    const end = options.history.now();
    const timedOut = (error as Error).name === 'TimeoutError';
    return {
      ...base,
      start,
      end,
      outcome: isConnectRefused(error) ? 'fail' : 'info',
      error: timedOut
        ? `no answer within ${options.timeoutMs}ms`
        : ((error as { cause?: Error }).cause?.message ?? (error as Error).message),
    };
  }
}

/** Runs the plan; resolves when every started operation has finished (or the signal aborted the rest). */
export async function runWorkload(options: WorkloadOptions): Promise<void> {
  const intervalMs = 1000 / options.ratePerSecond;
  const startedAt = performance.now();
  const freeWorkers = Array.from({ length: options.concurrency }, (_, index) => index).reverse();
  const inFlight = new Set<Promise<void>>();
  for (const planned of options.plan) {
    if (options.signal.aborted) break;
    // Open loop: each operation is due at its own time, whatever happened to the ones before.
    const wait = startedAt + planned.index * intervalMs - performance.now();
    if (wait > 0) await sleep(wait, undefined, { signal: options.signal }).catch(() => {});
    // Bounded concurrency: when every worker is busy the operation waits for one (and starts late).
    while (freeWorkers.length === 0 && !options.signal.aborted) await Promise.race(inFlight);
    if (options.signal.aborted) break;
    const worker = freeWorkers.pop()!;
    const running = placeOrder(options, planned, worker).then((entry) => {
      options.history.append(entry);
      options.onOperation?.(entry);
      freeWorkers.push(worker);
      inFlight.delete(running);
    });
    inFlight.add(running);
  }
  await Promise.allSettled([...inFlight]);
}
