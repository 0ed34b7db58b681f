/**
 * events.jsonl: the run's saga flow as one time-ordered list, derived from the snapshot's pattern
 * tables (cli/chaos/capture.ts):
 * - `emitted`: an outbox row (when it was written, when the relay published it, extra copies the
 *   duplicate fault added), or, with the outbox switched off, what the order service recorded;
 * - `delivered`: each delivery a consumer committed, from its inbox row: the first one applied,
 *   the later ones duplicates, skipped by the inbox (or applied again without it). The inbox keeps
 *   the first and the last delivery's time only, so a middle copy carries the last time and
 *   `timeExact: false`;
 * - `dead_letter`: a message a consumer gave up on.
 * The report, `lab trace` and a stored run all read this one derivation.
 */
import { DATABASE_SERVICES } from '../../common/roster.ts';
import type { RunSnapshot } from './capture.ts';

export interface EmittedEvent {
  kind: 'emitted';
  time: string;
  service: string;
  eventId: string;
  type: string;
  topic: string;
  orderId: string | null;
  publishedAt: string | null;
  /** Extra copies the relay published on top of the event (the duplicate fault). */
  copies: number;
  correlationId?: string;
  causationId?: string;
  /** Where the fact comes from: the outbox row, or order_history when no outbox row exists. */
  source: 'outbox' | 'order_history';
  payload?: unknown;
}

export interface DeliveredEvent {
  kind: 'delivered';
  time: string;
  /** false for a middle copy, whose exact time the inbox did not keep. */
  timeExact: boolean;
  consumer: string;
  eventId: string;
  type: string;
  topic: string;
  orderId: string | null;
  /** 1 for the first delivery. */
  delivery: number;
  duplicate: boolean;
  /** Whether its effects were applied (a duplicate skipped by the inbox was not). */
  applied: boolean;
}

export interface DeadLetterEvent {
  kind: 'dead_letter';
  time: string;
  consumer: string;
  topic: string;
  eventId: string | null;
  type: string | null;
  orderId: string | null;
  error: string;
  attempts: number;
}

export type RunEvent = EmittedEvent | DeliveredEvent | DeadLetterEvent;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function orderIdIn(payload: unknown): string | null {
  if (payload && typeof payload === 'object') {
    const value =
      (payload as Record<string, unknown>).orderId ?? (payload as Record<string, unknown>).order_id;
    if (typeof value === 'string') return value;
  }
  return null;
}

export function runEvents(snapshot: RunSnapshot): RunEvent[] {
  const events: RunEvent[] = [];
  const orderOf = new Map<string, string>();
  const runOrders = new Set(snapshot.rows.order.orders.map((order) => order.id));
  for (const service of DATABASE_SERVICES)
    for (const row of snapshot.rows[service].outbox) {
      const orderId = orderIdIn(row.payload) ?? (runOrders.has(row.aggregateid) ? row.aggregateid : null);
      if (orderId) orderOf.set(row.event_id, orderId);
      events.push({
        kind: 'emitted',
        time: row.created_at,
        service,
        eventId: row.event_id,
        type: row.type,
        topic: row.topic,
        orderId,
        publishedAt: row.published_at,
        copies: row.copies_published,
        ...(row.headers['correlation-id'] ? { correlationId: row.headers['correlation-id'] } : {}),
        ...(row.headers['causation-id'] ? { causationId: row.headers['causation-id'] } : {}),
        source: 'outbox',
        payload: row.payload,
      });
    }
  for (const row of snapshot.rows.order.order_history) {
    if (orderOf.has(row.event_id)) continue;
    orderOf.set(row.event_id, row.order_id);
    events.push({
      kind: 'emitted',
      time: row.occurred_at,
      service: row.producer,
      eventId: row.event_id,
      type: row.event_type,
      topic: row.topic,
      orderId: row.order_id,
      publishedAt: null,
      copies: 0,
      source: 'order_history',
    });
  }
  for (const service of DATABASE_SERVICES)
    for (const row of snapshot.rows[service].inbox)
      for (let delivery = 1; delivery <= row.deliveries; delivery++)
        events.push({
          kind: 'delivered',
          time: delivery === 1 ? row.first_seen_at : row.last_seen_at,
          timeExact: delivery === 1 || delivery === row.deliveries,
          consumer: row.consumer,
          eventId: row.event_id,
          type: row.event_type,
          topic: row.topic,
          orderId: orderOf.get(row.event_id) ?? null,
          delivery,
          duplicate: delivery > 1,
          applied: delivery <= row.applied,
        });
  for (const service of DATABASE_SERVICES)
    for (const row of snapshot.rows[service].dead_letters) {
      const key = row.key && UUID.test(row.key) ? row.key : null;
      events.push({
        kind: 'dead_letter',
        time: row.created_at,
        consumer: row.consumer,
        topic: row.topic,
        eventId: row.event_id,
        type: row.event_type,
        orderId: (row.event_id ? orderOf.get(row.event_id) : undefined) ?? key,
        error: row.error,
        attempts: row.attempts,
      });
    }
  const rank = { emitted: 0, delivered: 1, dead_letter: 2 } as const;
  return events.sort((a, b) => Date.parse(a.time) - Date.parse(b.time) || rank[a.kind] - rank[b.kind]);
}

/** One order's events, in time order. */
export function eventsOfOrder(events: RunEvent[], orderId: string): RunEvent[] {
  return events.filter((event) => event.orderId === orderId);
}
