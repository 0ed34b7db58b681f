/** Builds the report's model (model.ts) from a run directory alone: nothing here reads a live stack. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describeClock, LabClock } from '../../common/clock.ts';
import type { StoredSpan } from '../../infra/otel-collector/span.ts';
import type { RunSnapshot } from '../chaos/capture.ts';
import { CHECKS } from '../chaos/checks/index.ts';
import type { CheckResult } from '../chaos/checks/types.ts';
import type { FaultEntry, HistoryEntry, OperationEntry } from '../chaos/history.ts';
import type { RunResult } from '../chaos/result.ts';
import type { RunEvent } from '../chaos/run-events.ts';
import { readJsonLines, readSnapshot } from '../chaos/rundir.ts';
import type { CheckName } from '../chaos/schema.ts';
import { replayHint } from '../chaos/ui/summary.ts';
import type { FaultWindow, OrderModel, ReportCheck, ReportModel, ReportSpan, SagaStep } from './model.ts';

/** The lanes of a saga, left to right in the order the saga visits them. */
const SAGA_LANES = ['client', 'order', 'inventory', 'payment', 'shipping'];

const round = (value: number) => Math.round(value * 10) / 10;

export function readResult(runDir: string): RunResult {
  const file = path.join(runDir, 'result.json');
  return JSON.parse(readFileSync(file, 'utf8')) as RunResult;
}

function faultWindows(result: RunResult, history: HistoryEntry[]): FaultWindow[] {
  const windows = new Map<number, FaultWindow>();
  for (const fault of result.faults)
    windows.set(fault.fault, {
      index: fault.fault,
      kind: fault.kind,
      target: fault.target,
      start: fault.startedMs ?? 0,
      end: fault.healedMs ?? null,
      ...(fault.error ? { error: fault.error } : {}),
    });
  // A run stopped before result.json's faults were final still has the history's fault events.
  for (const entry of history.filter((item): item is FaultEntry => item.type === 'fault')) {
    const window = windows.get(entry.fault) ?? {
      index: entry.fault,
      kind: entry.kind,
      target: entry.detail ?? '',
      start: entry.time,
      end: null,
    };
    if (entry.event === 'start') window.start = Math.min(window.start, entry.time);
    if (entry.event === 'heal' && window.end === null) window.end = entry.time;
    windows.set(entry.fault, window);
  }
  return [...windows.values()].sort((a, b) => a.index - b.index);
}

/** The charts' time range: from the first operation or fault to the last, with a little margin. */
function workloadWindow(operations: OperationEntry[], faults: FaultWindow[]): { start: number; end: number } {
  const starts = [...operations.map((operation) => operation.start), ...faults.map((fault) => fault.start)];
  const ends = [
    ...operations.map((operation) => operation.end),
    ...faults.map((fault) => fault.end ?? fault.start),
  ];
  if (starts.length === 0) return { start: 0, end: 1000 };
  const start = Math.max(0, Math.floor(Math.min(...starts) / 1000 - 0.5) * 1000);
  return { start, end: Math.max(start + 1000, Math.ceil(Math.max(...ends) / 1000 + 0.5) * 1000) };
}

/** Spans of the run, grouped into the orders whose id one of their trace's spans names. */
function spansByOrder(spans: StoredSpan[], orderIds: Set<string>, toRunMs: (epochMs: number) => number) {
  const orderOfTrace = new Map<string, string>();
  for (const span of spans)
    for (const value of Object.values(span.attributes ?? {}))
      if (typeof value === 'string' && orderIds.has(value)) orderOfTrace.set(span.traceId, value);
  const byOrder = new Map<string, StoredSpan[]>();
  for (const span of spans) {
    const orderId = orderOfTrace.get(span.traceId);
    if (!orderId) continue;
    const list = byOrder.get(orderId) ?? [];
    list.push(span);
    byOrder.set(orderId, list);
  }
  const result = new Map<string, { traces: string[]; spans: ReportSpan[] }>();
  for (const [orderId, list] of byOrder) {
    list.sort((a, b) => a.startMs - b.startMs);
    const local = new Map(list.map((span, index) => [span.spanId, index.toString(36)]));
    result.set(orderId, {
      traces: [...new Set(list.map((span) => span.traceId))],
      spans: list.map((span) => {
        const mark = span.attributes?.['lab.mark'];
        const parent = span.parentSpanId ? local.get(span.parentSpanId) : undefined;
        return {
          spanId: local.get(span.spanId)!,
          ...(parent ? { parentSpanId: parent } : {}),
          name: span.name,
          service: span.service,
          start: round(toRunMs(span.startMs)),
          end: round(toRunMs(span.endMs)),
          ...(span.error ? { error: true } : {}),
          ...(typeof mark === 'string' ? { mark } : {}),
        };
      }),
    });
  }
  return result;
}

const shortId = (id: string | null) => (id ? id.slice(0, 8) : null);

/**
 * Each order of the snapshot with its saga steps (events, payments) and spans, times relative to
 * `toRunMs`'s origin. Also what `lab trace` prints.
 */
export function buildOrders(input: {
  snapshot: RunSnapshot | undefined;
  events: RunEvent[];
  spans: StoredSpan[];
  /** The client's requests (history.jsonl), in the same clock as `toRunMs`'s results. */
  operations?: OperationEntry[];
  toRunMs: (epochMs: number) => number;
}): OrderModel[] {
  const { snapshot, events, spans, toRunMs } = input;
  const at = (iso: string) => round(toRunMs(Date.parse(iso)));
  const orderRows = snapshot?.rows.order.orders ?? [];
  const orders: OrderModel[] = orderRows.map((row) => ({
    id: row.id,
    status: row.status,
    reason: row.reason,
    totalCents: row.total_cents,
    created: at(row.created_at),
    completed: row.completed_at ? at(row.completed_at) : null,
    steps: [],
    traces: [],
    spans: [],
    flags: [],
  }));
  const orderIndex = new Map(orders.map((order, index) => [order.id, index]));
  const orderOf = (id: string | null) => (id === null ? undefined : orders[orderIndex.get(id) ?? -1]);

  for (const event of events) {
    const order = orderOf(event.orderId);
    if (!order) continue;
    let step: SagaStep;
    if (event.kind === 'emitted')
      step = {
        kind: 'emit',
        t: at(event.time),
        service: event.service,
        type: event.type,
        event: shortId(event.eventId)!,
        published: event.publishedAt ? at(event.publishedAt) : null,
        copies: event.copies,
      };
    else if (event.kind === 'delivered') {
      step = {
        kind: 'deliver',
        t: at(event.time),
        consumer: event.consumer,
        type: event.type,
        event: shortId(event.eventId)!,
        delivery: event.delivery,
        applied: event.applied,
        exact: event.timeExact,
      };
      if (event.duplicate) order.flags.push(event.applied ? 'applied-twice' : 'duplicate');
    } else {
      step = {
        kind: 'dead',
        t: at(event.time),
        consumer: event.consumer,
        type: event.type,
        event: shortId(event.eventId),
        error: event.error,
      };
      order.flags.push('dead-letter');
    }
    order.steps.push(step);
  }
  const charges = new Map<string, number>();
  for (const payment of snapshot?.rows.payment.payments ?? []) {
    const order = orderOf(payment.order_id);
    if (!order) continue;
    order.steps.push({
      kind: 'payment',
      t: at(payment.created_at),
      payment: payment.kind,
      cents: payment.amount_cents,
    });
    if (payment.kind === 'charge') charges.set(order.id, (charges.get(order.id) ?? 0) + 1);
  }
  for (const [id, count] of charges) if (count > 1) orderOf(id)?.flags.push('double-charge');
  for (const [orderId, trace] of spansByOrder(spans, new Set(orderIndex.keys()), toRunMs))
    Object.assign(orderOf(orderId)!, trace);
  for (const operation of input.operations ?? []) {
    const order = operation.orderId ? orderOf(operation.orderId) : undefined;
    if (order)
      order.request = {
        start: operation.start,
        end: operation.end,
        outcome: operation.outcome,
        status: operation.status ?? null,
      };
  }
  for (const order of orders) {
    order.steps.sort((a, b) => a.t - b.t);
    order.flags = [...new Set(order.flags)];
    if (order.status === 'CANCELLED') order.flags.push('cancelled');
    if (order.status === 'PENDING') order.flags.push('pending');
  }

  return orders;
}

/** The sequence diagram's lanes for these orders: the saga's own, then any other service they touched. */
export function sagaLanes(orders: readonly OrderModel[]): string[] {
  const lanes = [...SAGA_LANES];
  for (const order of orders)
    for (const step of order.steps) {
      const lane = step.kind === 'emit' ? step.service : step.kind === 'payment' ? 'payment' : step.consumer;
      if (!lanes.includes(lane)) lanes.push(lane);
    }
  return lanes;
}

export function buildReportModel(runDir: string): ReportModel {
  const result = readResult(runDir);
  const startedMs = Date.parse(result.startedAt);
  const toRunMs = (epochMs: number) => epochMs - startedMs;
  const history = readJsonLines<HistoryEntry>(path.join(runDir, 'history.jsonl'));
  const operations = history.filter((entry): entry is OperationEntry => entry.type === 'op');
  const events = readJsonLines<RunEvent>(path.join(runDir, 'events.jsonl'));
  const spans = readJsonLines<StoredSpan>(path.join(runDir, 'traces.jsonl'));
  const snapshot: RunSnapshot | undefined = existsSync(path.join(runDir, 'rows', 'scope.json'))
    ? readSnapshot(runDir)
    : undefined;

  const orders = buildOrders({ snapshot, events, spans, operations, toRunMs });
  const orderIndex = new Map(orders.map((order, index) => [order.id, index]));

  const columns: ReportModel['operations'] = { start: [], end: [], outcome: [], order: [], status: [] };
  for (const operation of operations) {
    columns.start.push(operation.start);
    columns.end.push(operation.end);
    columns.outcome.push(operation.outcome);
    const index = operation.orderId ? (orderIndex.get(operation.orderId) ?? -1) : -1;
    columns.order.push(index);
    columns.status.push(operation.status ?? null);
  }

  const faults = faultWindows(result, history);
  const lanes = sagaLanes(orders);

  return {
    run: {
      id: result.id,
      scenario: result.scenario,
      description: result.description,
      seed: result.seed,
      runtime: result.runtime,
      without: result.without,
      kit: result.kit,
      clock: result.clock
        ? describeClock(LabClock.fromJSON(result.clock), Date.parse(result.startedAt))
        : 'real-time clock',
      verdict: result.verdict,
      expected: result.expected,
      expectationMet: result.expectationMet,
      explanation: result.explanation,
      startedAt: result.startedAt,
      durationMs: result.durationMs,
      replay: replayHint(result),
      counts: result.counts,
      ...(result.error ? { error: result.error } : {}),
    },
    window: workloadWindow(operations, faults),
    faults,
    operations: columns,
    checks: result.checks.map(describedCheck),
    ...(result.steadyState
      ? {
          steadyState: {
            before: result.steadyState.before.map(describedCheck),
            after: result.steadyState.after.map(describedCheck),
          },
        }
      : {}),
    orders,
    lanes,
  };
}

function describedCheck(check: CheckResult): ReportCheck {
  return { ...check, description: CHECKS[check.name as CheckName]?.description ?? '' };
}
