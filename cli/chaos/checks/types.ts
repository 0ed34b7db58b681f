/**
 * What every check receives and returns. A check is a pure function of the run's snapshot (the
 * rows captured from the services' databases, cli/chaos/capture.ts) and the client history: the
 * live run and `lab check <run>` call the same function on the same object. It says valid /
 * invalid / unknown with evidence: the orders and rows that show it.
 */
import type { z } from 'zod';
import type { ClockJSON } from '../../../common/clock.ts';
import type { RunSnapshot } from '../capture.ts';
import type { OperationEntry } from '../history.ts';
import type { CheckName, CheckSpec } from '../schema.ts';

export type Verdict = 'valid' | 'invalid' | 'unknown';

/** Anything with pg's `query` (a Pool or a Client). */
export interface Queryable {
  query<R extends Record<string, unknown> = Record<string, unknown>>(
    text: string,
    values?: unknown[],
  ): Promise<{ rows: R[] }>;
}

/** What this run created, so checks look only at its own customers, products and events. */
export interface RunScope {
  /** Customer (user) ids created by the setup phase. */
  customerIds: string[];
  /** Product ids created by the setup phase, with the stock units each got. */
  products: Array<{ id: string; sku: string; priceCents: number; initialUnits: number }>;
  /** Sum of every customer's starting balance, recorded at setup. */
  initialBalanceCents: number;
  /** When the run started (inbox/outbox/dead-letter rows before it belong to earlier runs). */
  startedAt: Date;
  /** Whether a fault injected duplicate deliveries (duplicate, redeliver, relay_crash). */
  duplicatesInjected: boolean;
  /**
   * The poison messages the run put on topics (the `poison` fault's decisions), by key; absent in
   * runs stored before it was recorded.
   */
  poisonsInjected?: InjectedPoison[];
  /** The stack's lab clock: inventory's times are lab time; others convert real times with it. */
  clock?: ClockJSON;
}

export interface InjectedPoison {
  topic: string;
  key: string;
  /** Which kind of malformed message it was (not-json, wrong-shape, ...). */
  poison: string;
}

export interface CheckContext {
  snapshot: RunSnapshot;
  operations: OperationEntry[];
  spec: CheckSpec;
}

export interface Evidence {
  /** How many offending items exist (items holds at most EVIDENCE_LIMIT of them). */
  total: number;
  items: Array<Record<string, unknown>>;
}

export interface CheckResult {
  name: string;
  verdict: Verdict;
  /** One sentence a learner can read. */
  summary: string;
  evidence: Evidence;
}

export const EVIDENCE_LIMIT = 20;

export function evidence(items: Array<Record<string, unknown>>): Evidence {
  return { total: items.length, items: items.slice(0, EVIDENCE_LIMIT) };
}

export type Check = (context: CheckContext) => Omit<CheckResult, 'name'>;

/** A check's answer when nothing is wrong. */
export function valid(summary: string): Omit<CheckResult, 'name'> {
  return { verdict: 'valid', summary, evidence: evidence([]) };
}

/** A check's answer with the items that show the anomaly. */
export function invalid(summary: string, items: Array<Record<string, unknown>>): Omit<CheckResult, 'name'> {
  return { verdict: 'invalid', summary, evidence: evidence(items) };
}

/** One check, everything about it in its own file: the registry (index.ts) only lists these. */
export interface CheckDefinition {
  name: CheckName;
  /** What the check guarantees, in a sentence a learner can read (`lab check --list`, the report). */
  description: string;
  /** The scenario syntax of its parameters, when it takes some. */
  parameters?: string;
  /**
   * A check with parameters: the schema of its entry's value in `expect.checks`
   * (`{ <name>: <value> }`) and how a parsed value becomes its spec. The scenario schema is built
   * from these.
   */
  options?: { schema: z.ZodType; toSpec(value: unknown): CheckSpec };
  /**
   * Run only where a scenario names it (`expect.checks`, `steady_state`), not by default: a check
   * about one fault's traces (poison) or one promise (acknowledgements) that a scenario opts into.
   */
  optIn?: boolean;
  run: Check;
}
