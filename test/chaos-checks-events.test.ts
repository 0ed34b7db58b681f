/**
 * The checks that follow events and acknowledgements (acknowledged_orders_durable,
 * event_order_per_aggregate, no_lost_event, dlq_accounted) on constructed snapshots: a state each
 * calls valid, and states that violate each, which it must call invalid with the offending event
 * or order as evidence. The snapshot is the object capture.ts reads from the databases (the
 * capture itself, apply_seq included, is exercised on a real PostgreSQL in chaos-checks.test.ts
 * and services/kit/fast/kit.test.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DeadLetterRow, InboxRow, OutboxRow, RunSnapshot } from '../cli/chaos/capture.ts';
import { runCheck } from '../cli/chaos/checks/index.ts';
import type { CheckResult } from '../cli/chaos/checks/types.ts';
import type { OperationEntry } from '../cli/chaos/history.ts';
import type { CheckSpec } from '../cli/chaos/schema.ts';
import { subscriptions } from '../cli/chaos/subscriptions.ts';
import { DATABASE_SERVICES } from '../common/roster.ts';

const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const ALICE = uuid(1);
const ORDER = uuid(100);
const OTHER_ORDER = uuid(101);
const STARTED = '2026-01-01T10:00:00.000Z';
const at = (second: number) => new Date(Date.parse(STARTED) + second * 1000).toISOString();

function outbox(n: number, type: string, topic: string, seq: number, aggregate = ORDER): OutboxRow {
  return {
    event_id: uuid(400 + n),
    seq,
    aggregatetype: 'order',
    aggregateid: aggregate,
    type,
    topic,
    headers: {},
    payload: { order_id: aggregate },
    created_at: at(seq),
    published_at: at(seq + 0.1),
    copies_published: 0,
  };
}

function inbox(consumer: string, event: OutboxRow, applySeq: number | undefined): InboxRow {
  return {
    consumer,
    event_id: event.event_id,
    event_type: event.type,
    topic: event.topic,
    deliveries: 1,
    applied: 1,
    first_seen_at: at(event.seq + 0.2),
    last_seen_at: at(event.seq + 0.2),
    ...(applySeq === undefined ? {} : { apply_seq: applySeq }),
  };
}

function deadLetter(
  consumer: string,
  topic: string,
  key: string,
  eventId: string | null = null,
): DeadLetterRow {
  return {
    id: 1,
    consumer,
    topic,
    partition: 0,
    offset: '7',
    event_id: eventId,
    event_type: null,
    key,
    value: '{"order_id": ',
    error: 'PoisonMessageError: not JSON',
    attempts: 3,
    created_at: at(2),
  };
}

/**
 * A finished saga: the order placed and confirmed by the order service, stock reserved and
 * consumed by inventory, the payment captured; every consumer that applies those types has them,
 * in order. One poison message on `orders`, dead-lettered by inventory.
 */
function world(): { snapshot: RunSnapshot; operations: OperationEntry[] } {
  const placed = outbox(1, 'OrderPlaced', 'orders', 1);
  const confirmed = outbox(2, 'OrderConfirmed', 'orders', 5);
  const reserved = outbox(3, 'StockReserved', 'inventory', 2);
  const consumed = outbox(4, 'StockConsumed', 'inventory', 6);
  const captured = outbox(5, 'PaymentCaptured', 'payments', 3);
  const kit = () => ({
    outbox: [] as OutboxRow[],
    inbox: [] as InboxRow[],
    dead_letters: [] as DeadLetterRow[],
  });
  const rows = {
    auth: kit(),
    catalog: kit(),
    inventory: { ...kit(), stock_units: [] },
    order: {
      ...kit(),
      orders: [
        {
          id: ORDER,
          customer_id: ALICE,
          status: 'CONFIRMED' as const,
          total_cents: 450,
          reason: null,
          created_at: at(1),
          completed_at: at(5),
        },
      ],
      order_lines: [],
      order_history: [],
    },
    payment: { ...kit(), accounts: [], top_ups: [], payments: [] },
    shipping: { ...kit(), shipments: [] },
    search: kit(),
  };
  rows.order.outbox.push(placed, confirmed);
  rows.inventory.outbox.push(reserved, consumed);
  rows.payment.outbox.push(captured);
  rows.inventory.inbox.push(inbox('inventory', placed, 1), inbox('inventory', confirmed, 2));
  rows.payment.inbox.push(inbox('payment', reserved, 1));
  rows.order.inbox.push(
    inbox('order', reserved, 1),
    inbox('order', captured, 2),
    inbox('order', consumed, 3),
  );
  rows.shipping.inbox.push(inbox('shipping', confirmed, 1));
  // The search projection's group is named after its store's incarnation.
  rows.search.inbox.push(inbox('search-1', reserved, 1), inbox('search-1', consumed, 2));
  rows.inventory.dead_letters.push(deadLetter('inventory', 'orders', 'poison-0-0'));
  const snapshot: RunSnapshot = {
    capturedAt: at(30),
    scope: {
      customerIds: [ALICE],
      products: [],
      initialBalanceCents: 10_000,
      startedAt: STARTED,
      duplicatesInjected: false,
      poisonsInjected: [{ topic: 'orders', key: 'poison-0-0', poison: 'not-json' }],
    },
    rows,
  };
  const operations: OperationEntry[] = [
    {
      type: 'op',
      index: 0,
      op: 'place-order',
      worker: 0,
      customer: ALICE,
      lines: [{ sku: 'bread', quantity: 1 }],
      start: 100,
      end: 150,
      outcome: 'ok',
      status: 202,
      orderId: ORDER,
    },
  ];
  return { snapshot, operations };
}

function check(name: CheckSpec['name'], state = world()): CheckResult {
  return runCheck({ name } as CheckSpec, state);
}

const NEW_CHECKS = [
  'acknowledged_orders_durable',
  'event_order_per_aggregate',
  'no_lost_event',
  'dlq_accounted',
] as const;

describe('the event checks on a consistent world', () => {
  it.each(NEW_CHECKS)('%s is valid', (name) => {
    const result = check(name);
    expect(result, result.summary).toMatchObject({ name, verdict: 'valid' });
    expect(result.evidence.total).toBe(0);
  });

  it('say what they compared', () => {
    expect(check('acknowledged_orders_durable').summary).toBe('all 1 acknowledged orders exist and finished');
    expect(check('no_lost_event').summary).toBe(
      'all 5 events published and delivered (9 deliveries to their consumers)',
    );
    expect(check('event_order_per_aggregate').summary).toContain('3 event streams');
    expect(check('dlq_accounted').summary).toContain('all 1 poison messages dead-lettered');
  });
});

describe('the event checks on violating worlds', () => {
  it('acknowledged_orders_durable: an acknowledged order lost in a crash, another left PENDING', () => {
    const state = world();
    const lost = uuid(999);
    state.operations.push({ ...state.operations[0]!, index: 1, orderId: lost });
    state.operations.push({ ...state.operations[0]!, index: 2, orderId: OTHER_ORDER });
    state.snapshot.rows.order.orders.push({
      ...state.snapshot.rows.order.orders[0]!,
      id: OTHER_ORDER,
      status: 'PENDING',
    });
    // A request that failed (503) promised nothing: it is not held against the database.
    state.operations.push({
      ...state.operations[0]!,
      index: 3,
      orderId: uuid(998),
      status: 503,
      outcome: 'fail',
    });
    const result = check('acknowledged_orders_durable', state);
    expect(result.verdict).toBe('invalid');
    expect(result.summary).toBe('2 of 3 acknowledged orders are missing (1) or unfinished (1)');
    expect(result.evidence.items).toEqual([
      expect.objectContaining({
        order_id: lost,
        problem: 'acknowledged but missing from the order database',
      }),
      expect.objectContaining({ order_id: OTHER_ORDER, problem: 'acknowledged but still PENDING' }),
    ]);
  });

  it('event_order_per_aggregate: inventory applied OrderConfirmed before OrderPlaced', () => {
    const state = world();
    const [placed, confirmed] = state.snapshot.rows.inventory.inbox;
    placed!.apply_seq = 9;
    confirmed!.apply_seq = 4;
    const result = check('event_order_per_aggregate', state);
    expect(result.verdict).toBe('invalid');
    expect(result.evidence.items).toEqual([
      expect.objectContaining({
        consumer: 'inventory',
        producer: 'order',
        aggregate: `order ${ORDER}`,
        applied_first: 'OrderConfirmed (seq 5)',
        applied_then: 'OrderPlaced (seq 1)',
      }),
    ]);
  });

  it('event_order_per_aggregate: events of different producers have no order to keep', () => {
    const state = world();
    // The order consumer applied PaymentCaptured (payment, seq 3) before StockReserved
    // (inventory, seq 2): two producers, two streams, no anomaly.
    const [reserved, captured] = state.snapshot.rows.order.inbox;
    reserved!.apply_seq = 2;
    captured!.apply_seq = 1;
    expect(check('event_order_per_aggregate', state).verdict).toBe('valid');
  });

  it('event_order_per_aggregate is unknown on a run captured before the inbox kept an apply order', () => {
    const state = world();
    for (const service of DATABASE_SERVICES)
      for (const row of state.snapshot.rows[service].inbox) delete row.apply_seq;
    expect(check('event_order_per_aggregate', state).verdict).toBe('unknown');
  });

  it('no_lost_event: an event never published, one shipping never got, one payment dead-lettered', () => {
    const state = world();
    const { rows } = state.snapshot;
    rows.order.outbox[1]!.published_at = null;
    rows.shipping.inbox = [];
    const cancelled = outbox(6, 'OrderCancelled', 'orders', 7);
    rows.order.outbox.push(cancelled);
    rows.inventory.inbox.push(inbox('inventory', cancelled, 3));
    rows.payment.dead_letters.push(deadLetter('payment', 'orders', ORDER, cancelled.event_id));
    // Another run's event (not this run's order) is not this run's to judge.
    rows.order.outbox.push(outbox(7, 'OrderPlaced', 'orders', 8, uuid(555)));
    const result = check('no_lost_event', state);
    expect(result.verdict).toBe('invalid');
    expect(result.evidence.items).toEqual([
      expect.objectContaining({ type: 'OrderConfirmed', problem: 'never published' }),
      expect.objectContaining({
        type: 'OrderCancelled',
        consumer: 'payment',
        problem: 'dead-lettered by the consumer',
      }),
    ]);
    rows.order.outbox[1]!.published_at = at(6);
    expect(check('no_lost_event', state).evidence.items).toEqual([
      expect.objectContaining({
        type: 'OrderConfirmed',
        consumer: 'shipping',
        problem: 'never reached the consumer',
      }),
      expect.objectContaining({ type: 'OrderCancelled', consumer: 'payment' }),
    ]);
  });

  it('no_lost_event: an event published just before the capture is in flight, not lost', () => {
    const state = world();
    state.snapshot.rows.shipping.inbox = [];
    state.snapshot.rows.order.outbox[1]!.published_at = at(29);
    const result = check('no_lost_event', state);
    expect(result.verdict).toBe('valid');
    expect(result.summary).toContain('1 still in flight at the capture');
  });

  it('dlq_accounted: a poison message in no dead-letter topic, and a real event dead-lettered', () => {
    const state = world();
    state.snapshot.scope.poisonsInjected!.push({ topic: 'inventory', key: 'poison-1-0', poison: 'binary' });
    state.snapshot.rows.order.dead_letters.push(deadLetter('order', 'payments', ORDER, uuid(405)));
    const result = check('dlq_accounted', state);
    expect(result.verdict).toBe('invalid');
    expect(result.summary).toBe(
      '1 of 2 poison messages in no dead-letter topic; 1 dead letters that were not injected',
    );
    expect(result.evidence.items).toEqual([
      expect.objectContaining({ key: 'poison-1-0', subscribers: ['order', 'payment', 'search'] }),
      expect.objectContaining({
        problem: 'dead-lettered but not injected',
        consumer: 'order',
        event_id: uuid(405),
      }),
    ]);
  });

  it('dlq_accounted is unknown on a run that did not record its poison', () => {
    const state = world();
    delete state.snapshot.scope.poisonsInjected;
    expect(check('dlq_accounted', state).verdict).toBe('unknown');
  });
});

describe('subscriptions', () => {
  it('are the ones services/SCHEMA.md "Consumers" documents', () => {
    const schema = readFileSync(path.resolve(import.meta.dirname, '../services/SCHEMA.md'), 'utf8');
    const sentence = /Consumers \(group = service name\): ([^.]+)\./
      .exec(schema.replace(/\s+/g, ' '))![1]!
      // "search ← catalog, inventory (group `search-<incarnation>`, ...)": the group's name aside.
      .replace(/ \([^)]*\)/g, '');
    const documented = Object.fromEntries(
      sentence.split('; ').map((entry) => {
        const [consumer, topics] = entry.split(' ← ');
        return [consumer, topics!.split(', ').sort()];
      }),
    );
    const fromHandlers = Object.fromEntries(
      Object.entries(subscriptions()).map(([consumer, topics]) => [consumer, Object.keys(topics).sort()]),
    );
    expect(fromHandlers).toEqual(documented);
  });
});
