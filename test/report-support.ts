/**
 * A synthetic run directory with `orders` complete sagas (every outbox row, inbox delivery and
 * payment a real run records, some duplicates skipped and one order charged twice, and each order's
 * trace as the services export it), written through the same writers as a live run, for report
 * tests and the report's size and time budget.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { InboxRow, OutboxRow, RunSnapshot } from '../cli/chaos/capture.ts';
import { runChecks } from '../cli/chaos/checks/index.ts';
import type { OperationEntry } from '../cli/chaos/history.ts';
import type { RunResult } from '../cli/chaos/result.ts';
import { writeRunData } from '../cli/chaos/rundir.ts';
import type { StoredSpan } from '../infra/otel-collector/span.ts';

const SAGA: Array<{ type: string; service: keyof RunSnapshot['rows']; topic: string; consumers: string[] }> =
  [
    { type: 'OrderPlaced', service: 'order', topic: 'orders', consumers: ['inventory'] },
    { type: 'StockReserved', service: 'inventory', topic: 'inventory', consumers: ['payment', 'order'] },
    { type: 'PaymentCaptured', service: 'payment', topic: 'payments', consumers: ['order'] },
    { type: 'OrderConfirmed', service: 'order', topic: 'orders', consumers: ['inventory', 'shipping'] },
    { type: 'StockConsumed', service: 'inventory', topic: 'inventory', consumers: ['order'] },
    { type: 'ShipmentScheduled', service: 'shipping', topic: 'shipping', consumers: ['order'] },
  ];

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
export const syntheticId = (kind: number, n: number) => `${hex(kind, 8)}-0000-4000-8000-${hex(n, 12)}`;

/**
 * One order's trace in the shape services/kit/tracing.ts gives it: the gateway's request and its
 * calls, order's transaction, then per saga step a publish span (child of the span that wrote the
 * event) and a handler span per consumer (child of the publish); with `duplicate`, each step's copy
 * and the inbox's skip of it. 20 spans, as a real order has; 34 with duplicates.
 */
function syntheticTrace(orderId: string, index: number, placedMs: number, duplicate: boolean): StoredSpan[] {
  const traceId = `${hex(index, 16)}${hex(0xabc, 16)}`;
  const spans: StoredSpan[] = [];
  const add = (
    parent: StoredSpan | undefined,
    name: string,
    service: string,
    kind: number,
    at: number,
    ms: number,
    attributes: StoredSpan['attributes'] = {},
  ) => {
    const span: StoredSpan = {
      traceId,
      spanId: `${hex(index % 0xffff, 4)}${hex(spans.length, 4)}${hex(0xfeed, 8)}`,
      ...(parent ? { parentSpanId: parent.spanId } : {}),
      name,
      service,
      kind,
      startMs: placedMs + at,
      endMs: placedMs + at + ms,
      attributes: { 'lab.order_id': orderId, ...attributes },
    };
    spans.push(span);
    return span;
  };
  const request = add(undefined, 'POST /api/order/orders', 'gateway', 2, 0, 14);
  add(add(request, 'POST catalog', 'gateway', 3, 1, 3), 'POST /quote', 'catalog', 2, 1.5, 2);
  const call = add(request, 'POST order', 'gateway', 3, 5, 8);
  let writer = add(add(call, 'POST /orders', 'order', 2, 5.5, 7), 'place order', 'order', 1, 6, 6);
  SAGA.forEach((step, stepIndex) => {
    const at = 14 + stepIndex * 8;
    const copies = duplicate ? 2 : 1;
    let next = writer;
    for (let copy = 0; copy < copies; copy++) {
      const publish = add(writer, `publish ${step.type}`, step.service, 4, at, 1.5, {
        'lab.event_type': step.type,
        ...(copy > 0 ? { 'lab.duplicate_copy': true } : {}),
      });
      for (const consumer of step.consumers) {
        const handled = add(
          publish,
          copy > 0 ? `duplicate skipped ${step.type}` : `handle ${step.type}`,
          consumer,
          5,
          at + 2,
          3,
          {
            'lab.event_type': step.type,
            'messaging.consumer.group.name': consumer,
            ...(copy > 0 ? { 'lab.duplicate': true, 'lab.mark': 'duplicate' } : {}),
          },
        );
        // The next step's event is written by its producer's handler of this one.
        if (copy === 0 && consumer === SAGA[stepIndex + 1]?.service) next = handled;
      }
    }
    writer = next;
  });
  return spans;
}

export function writeSyntheticRun(
  dir: string,
  options: { orders: number; doubleCharged?: number },
): RunResult {
  const started = Date.parse('2026-01-01T10:00:00.000Z');
  const iso = (ms: number) => new Date(started + ms).toISOString();
  const customer = syntheticId(1, 1);
  const snapshot: RunSnapshot = {
    capturedAt: iso(60_000),
    scope: {
      customerIds: [customer],
      products: [],
      initialBalanceCents: 0,
      startedAt: iso(0),
      duplicatesInjected: true,
    },
    rows: {
      auth: { outbox: [], inbox: [], dead_letters: [] },
      catalog: { outbox: [], inbox: [], dead_letters: [] },
      inventory: { outbox: [], inbox: [], dead_letters: [], stock_units: [] },
      order: { outbox: [], inbox: [], dead_letters: [], orders: [], order_lines: [], order_history: [] },
      payment: { outbox: [], inbox: [], dead_letters: [], accounts: [], top_ups: [], payments: [] },
      shipping: { outbox: [], inbox: [], dead_letters: [], shipments: [] },
      search: { outbox: [], inbox: [], dead_letters: [] },
    },
  };
  const operations: OperationEntry[] = [];
  const spans: StoredSpan[] = [];
  let seq = 0;
  for (let index = 0; index < options.orders; index++) {
    const orderId = syntheticId(2, index);
    const placed = 1000 + index * 20;
    operations.push({
      type: 'op',
      index,
      op: 'place-order',
      worker: index % 8,
      customer,
      lines: [{ sku: 'bread', quantity: 1 }],
      start: placed - 5,
      end: placed + 10,
      outcome: 'ok',
      status: 202,
      orderId,
    });
    snapshot.rows.order.orders.push({
      id: orderId,
      customer_id: customer,
      status: 'CONFIRMED',
      total_cents: 450,
      reason: null,
      created_at: iso(placed),
      completed_at: iso(placed + 40),
    });
    SAGA.forEach((step, stepIndex) => {
      const at = placed + stepIndex * 8;
      const eventId = syntheticId(3 + stepIndex, index);
      const row: OutboxRow = {
        event_id: eventId,
        seq: seq++,
        aggregatetype: 'order',
        aggregateid: orderId,
        type: step.type,
        topic: step.topic,
        headers: {
          'event-id': eventId,
          'event-type': step.type,
          'correlation-id': orderId,
          producer: step.service,
        },
        payload: { order_id: orderId, customer_id: customer, total_cents: 450 },
        created_at: iso(at),
        published_at: iso(at + 2),
        copies_published: index % 10 === 0 ? 1 : 0,
      };
      snapshot.rows[step.service].outbox.push(row);
      for (const consumer of step.consumers) {
        const inbox: InboxRow = {
          consumer,
          event_id: eventId,
          event_type: step.type,
          topic: step.topic,
          deliveries: index % 10 === 0 ? 2 : 1,
          applied: 1,
          first_seen_at: iso(at + 4),
          last_seen_at: iso(at + 6),
        };
        snapshot.rows[consumer as keyof RunSnapshot['rows']].inbox.push(inbox);
      }
    });
    spans.push(...syntheticTrace(orderId, index, started + placed - 4, index % 10 === 0));
    const charges = index === options.doubleCharged ? 2 : 1;
    for (let charge = 0; charge < charges; charge++)
      snapshot.rows.payment.payments.push({
        id: syntheticId(20 + charge, index),
        order_id: orderId,
        customer_id: customer,
        kind: 'charge',
        amount_cents: 450,
        created_at: iso(placed + 12 + charge),
      });
  }
  mkdirSync(dir, { recursive: true });
  const stored = JSON.parse(JSON.stringify(snapshot)) as RunSnapshot;
  writeRunData(dir, stored);
  writeFileSync(path.join(dir, 'traces.jsonl'), spans.map((span) => `${JSON.stringify(span)}\n`).join(''));
  writeFileSync(
    path.join(dir, 'history.jsonl'),
    [
      ...operations,
      { type: 'fault', fault: 0, kind: 'duplicate', event: 'start', time: 1000 },
      { type: 'fault', fault: 0, kind: 'duplicate', event: 'heal', time: 5000 },
    ]
      .map((entry) => `${JSON.stringify(entry)}\n`)
      .join(''),
  );
  const checks = runChecks([{ name: 'no_double_charge' }, { name: 'idempotent_consumers' }], {
    snapshot: stored,
    operations,
  });
  const result: RunResult = {
    id: path.basename(dir),
    scenario: 'synthetic',
    description: 'A synthetic run for the report tests.',
    file: '/tmp/synthetic.yaml',
    seed: 1,
    runtime: 'local',
    without: [],
    kit: 'reference',
    // A bakery day at 720x: lab 06:00 when the run started, 10 real seconds earlier.
    clock: { speed: 720, start: '2026-01-01T06:00:00.000Z', epoch: iso(-10_000) },
    startedAt: iso(0),
    durationMs: 60_000,
    runDir: dir,
    expected: 'invalid',
    verdict: checks.some((check) => check.verdict === 'invalid') ? 'invalid' : 'valid',
    expectationMet: true,
    explanation: 'synthetic',
    exitCode: 0,
    checks,
    counts: { operations: options.orders, confirmed: options.orders },
    faults: [{ fault: 0, kind: 'duplicate', target: 'order', startedMs: 1000, healedMs: 5000 }],
  };
  writeFileSync(path.join(dir, 'result.json'), JSON.stringify(result));
  writeFileSync(
    path.join(dir, 'scenario.yaml'),
    'name: synthetic\ndescription: synthetic\nsetup: { customers: 1, balance: 1.00, products: [{ sku: bread, price: 4.50, stock: 1 }] }\nworkload: { orders: 1, rate: 1/s }\nexpect:\n  verdict: invalid\n  checks: [no_double_charge, idempotent_consumers]\n',
  );
  return result;
}
