/**
 * Shrinking a failing scenario to a minimal one that still fails, by greedy delta debugging
 * (Zeller's ddmin, applied field by field): try a smaller variant; keep it when the same checks
 * still fail, else try the next; stop when no variant is smaller or the budget runs out. The
 * variants, most reducing first: drop halves of the faults then single faults, halve the orders,
 * shorten each fault's window, move each fault earlier, lower the rate and the concurrency.
 *
 * Works on the scenario as a file writes it (the YAML's plain data), so every candidate is a file
 * `lab chaos` can run as it is. Runs are expensive (one chaos run each), which is why a
 * delta-debugging loop with a budget fits better here than a property-testing shrinker that
 * would ask for hundreds of runs.
 */
import { parseDuration, parseRate } from './units.ts';

/** A scenario document: the YAML's data (durations as written, e.g. `2s`). */
export type ScenarioDocument = Record<string, unknown> & {
  workload: Record<string, unknown>;
  faults?: Array<Record<string, unknown>>;
};

export interface Candidate {
  /** What changed, for the shrink log. */
  change: string;
  document: ScenarioDocument;
}

/**
 * Windows are not shortened below this: a shorter one races the saga's own steps (a first order on
 * a cold stack takes longer than on the warm one shrinking runs on), so it would fail in the
 * shrink runs and pass in the replay.
 */
const MIN_WINDOW_MS = 1000;

const ms = (value: unknown): number => {
  const parsed = parseDuration(value);
  return typeof parsed === 'number' ? parsed : 0;
};

function withFaults(document: ScenarioDocument, faults: Array<Record<string, unknown>>): ScenarioDocument {
  return { ...document, faults };
}

function withWorkload(document: ScenarioDocument, changes: Record<string, unknown>): ScenarioDocument {
  return { ...document, workload: { ...document.workload, ...changes } };
}

/** The fault's kind: its one key besides `at` and `for`. */
function kindOf(fault: Record<string, unknown>): string {
  return Object.keys(fault).find((key) => key !== 'at' && key !== 'for') ?? '?';
}

/** n/2, n/4, ... 1 (rounded up): the chunk sizes ddmin tries; none for 0. */
function halvings(count: number): number[] {
  const sizes: number[] = [];
  for (let size = Math.ceil(count / 2); size >= 1 && sizes.at(-1) !== 1; size = Math.ceil(size / 2))
    sizes.push(size);
  return sizes;
}

/** The smaller variants of a document, most reducing first. */
export function* smallerVariants(document: ScenarioDocument): Generator<Candidate> {
  const faults = document.faults ?? [];
  // Drop chunks of faults, halves first (ddmin), down to single ones.
  for (const chunk of halvings(faults.length))
    for (let start = 0; start < faults.length; start += chunk) {
      const dropped = faults.slice(start, start + chunk);
      yield {
        change: `drop ${dropped.map(kindOf).join(', ')}`,
        document: withFaults(document, [...faults.slice(0, start), ...faults.slice(start + chunk)]),
      };
    }
  const orders = Number(document.workload.orders);
  if (orders > 1) {
    const fewer = Math.max(1, Math.floor(orders / 2));
    yield { change: `orders ${orders} → ${fewer}`, document: withWorkload(document, { orders: fewer }) };
    if (fewer < orders - 1)
      yield {
        change: `orders ${orders} → ${orders - 1}`,
        document: withWorkload(document, { orders: orders - 1 }),
      };
  }
  for (const [index, fault] of faults.entries()) {
    const window = ms(fault.for);
    if (fault.for !== undefined && window / 2 >= MIN_WINDOW_MS) {
      const shorter = Math.round(window / 2);
      const next = [...faults];
      next[index] = { ...fault, for: `${shorter}ms` };
      yield {
        change: `${kindOf(fault)} lasts ${window}ms → ${shorter}ms`,
        document: withFaults(document, next),
      };
    }
  }
  for (const [index, fault] of faults.entries()) {
    const at = ms(fault.at);
    if (at >= 200) {
      const earlier = Math.round(at / 2);
      const next = [...faults];
      next[index] = { ...fault, at: `${earlier}ms` };
      yield { change: `${kindOf(fault)} at ${at}ms → ${earlier}ms`, document: withFaults(document, next) };
    }
  }
  const rate = parseRate(document.workload.rate);
  if (typeof rate === 'number' && rate > 1) {
    const slower = Math.max(1, Math.floor(rate / 2));
    yield {
      change: `rate ${rate}/s → ${slower}/s`,
      document: withWorkload(document, { rate: `${slower}/s` }),
    };
  }
  const concurrency = Number(document.workload.concurrency ?? 8);
  if (concurrency > 1) {
    const fewer = Math.max(1, Math.floor(concurrency / 2));
    yield {
      change: `concurrency ${concurrency} → ${fewer}`,
      document: withWorkload(document, { concurrency: fewer }),
    };
  }
}

export interface ShrinkStep {
  attempt: number;
  change: string;
  kept: boolean;
}

export interface ShrinkOptions {
  initial: ScenarioDocument;
  /** Runs the candidate; true when it still fails the same way. */
  stillFails(document: ScenarioDocument, attempt: number): Promise<boolean>;
  /** At most this many candidate runs. */
  maxAttempts: number;
  /**
   * A candidate is kept only when it fails this many runs in a row (default 1). Chaos runs are not
   * deterministic to the millisecond: a variant that failed once may pass the next time (a fault
   * window shrunk to a few hundred ms), and keeping it would leave a minimal file that does not
   * reproduce.
   */
  confirmations?: number;
  /** Stop starting candidates after this time (ms since the start). */
  deadline?: number;
  onStep?(step: ShrinkStep): void;
  signal?: AbortSignal;
}

export interface ShrinkResult {
  minimal: ScenarioDocument;
  steps: ShrinkStep[];
  /** True when no smaller variant fails: the result is 1-minimal for the variants tried. */
  exhausted: boolean;
}

export async function shrink(options: ShrinkOptions): Promise<ShrinkResult> {
  let current = options.initial;
  const steps: ShrinkStep[] = [];
  let attempt = 0;
  // Changes that did not reproduce are tried again only once nothing else makes progress: after a
  // smaller variant is kept they would mostly fail the same way, at a whole run each.
  let deferred = new Set<string>();
  const outOfBudget = () =>
    attempt >= options.maxAttempts ||
    (options.deadline !== undefined && Date.now() >= options.deadline) ||
    options.signal?.aborted === true;
  for (;;) {
    let progressed = false;
    let skipped = false;
    for (const candidate of smallerVariants(current)) {
      if (deferred.has(candidate.change)) {
        skipped = true;
        continue;
      }
      if (outOfBudget()) return { minimal: current, steps, exhausted: false };
      attempt += 1;
      let kept = await options.stillFails(candidate.document, attempt);
      for (let confirmed = 1; kept && confirmed < (options.confirmations ?? 1); confirmed++) {
        if (outOfBudget()) return { minimal: current, steps, exhausted: false };
        attempt += 1;
        kept = await options.stillFails(candidate.document, attempt);
      }
      const step = { attempt, change: candidate.change, kept };
      steps.push(step);
      options.onStep?.(step);
      if (kept) {
        current = candidate.document;
        progressed = true;
        break;
      }
      deferred.add(candidate.change);
    }
    if (progressed) continue;
    if (!skipped) return { minimal: current, steps, exhausted: true };
    deferred = new Set();
  }
}
