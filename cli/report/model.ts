/**
 * The report's data: everything report.html shows, derived from a run directory alone, as one
 * JSON-serialisable object. The page embeds it and its components (components/*.ts) draw from it,
 * so a later live console can feed the same components the same shapes.
 * Times are milliseconds since the run started (the history's clock), rounded to 0.1 ms.
 */

export type OperationOutcome = 'ok' | 'fail' | 'info';

export interface FaultWindow {
  index: number;
  kind: string;
  target: string;
  start: number;
  /** null: never healed within the run (or instant without a heal). */
  end: number | null;
  error?: string;
}

/** Column-wise operations (a 1000-order run stays small): operation i is start[i], end[i], ... */
export interface OperationColumns {
  start: number[];
  end: number[];
  outcome: OperationOutcome[];
  /** Index into `orders`, or -1 when the client never learnt an order id. */
  order: number[];
  status: Array<number | null>;
}

/** One step of an order's saga, from events.jsonl (cli/chaos/run-events.ts). */
export type SagaStep =
  | {
      kind: 'emit';
      t: number;
      service: string;
      type: string;
      event: string;
      published: number | null;
      copies: number;
    }
  | {
      kind: 'deliver';
      t: number;
      consumer: string;
      type: string;
      event: string;
      delivery: number;
      applied: boolean;
      exact: boolean;
    }
  | { kind: 'dead'; t: number; consumer: string; type: string | null; event: string | null; error: string }
  | { kind: 'payment'; t: number; payment: 'charge' | 'refund'; cents: number };

/**
 * One span of an order's trace. Its ids are local to the order (its place among the order's spans,
 * base 36): a report holds tens of thousands of spans, and the trace's own 16-byte ids would be a
 * third of its size; the order's `traces` keeps the trace ids.
 */
export interface ReportSpan {
  spanId: string;
  parentSpanId?: string;
  name: string;
  service: string;
  start: number;
  end: number;
  error?: boolean;
  /** A duplicate skipped by the inbox, a dead letter: what the span's attributes say it was. */
  mark?: string;
}

export interface OrderModel {
  id: string;
  status: string;
  reason: string | null;
  totalCents: number;
  created: number;
  completed: number | null;
  /** The client's request, when the history has it. */
  request?: { start: number; end: number; outcome: OperationOutcome; status: number | null };
  steps: SagaStep[];
  /** The ids of the traces its spans belong to (one per request that touched the order). */
  traces: string[];
  spans: ReportSpan[];
  /** What stands out, for the order list: 'duplicate', 'double-charge', 'dead-letter', ... */
  flags: string[];
}

export interface ReportCheck {
  name: string;
  verdict: 'valid' | 'invalid' | 'unknown';
  summary: string;
  description: string;
  evidence: { total: number; items: Array<Record<string, unknown>> };
}

export interface ReportModel {
  run: {
    id: string;
    scenario: string;
    description: string;
    seed: number;
    runtime: string;
    without: string[];
    kit: string;
    /** The stack's lab clock at the run's start, e.g. `lab clock 720x, lab time 2026-12-03 06:00 UTC`. */
    clock: string;
    verdict: string;
    expected: string;
    expectationMet: boolean;
    explanation: string;
    startedAt: string;
    durationMs: number;
    replay: string;
    counts: Record<string, number | undefined>;
    error?: string;
  };
  /** Where the workload ran, for the charts' common x range. */
  window: { start: number; end: number };
  faults: FaultWindow[];
  operations: OperationColumns;
  checks: ReportCheck[];
  /** The scenario's steady-state probes (before any fault, after settling), when it has some. */
  steadyState?: { before: ReportCheck[]; after: ReportCheck[] };
  orders: OrderModel[];
  /** The sequence diagram's lanes, left to right. */
  lanes: string[];
}
