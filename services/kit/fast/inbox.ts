import type { IncomingEvent } from '../events.ts';
import type { PoolClient } from './pool.ts';

/**
 * The batch's apply_seq numbers (migration 006), drawn in batch order, which is the order the
 * handlers apply the events in, while the rows themselves are inserted (and locked) in id order.
 */
const APPLY_ORDER = `numbered AS (
  SELECT position, nextval(pg_get_serial_sequence('inbox', 'apply_seq')) AS apply_seq
    FROM unnest($POSITIONS::int[]) AS position ORDER BY position)`;

export interface Delivery {
  /** The event was already processed by this consumer (this delivery is a copy). */
  duplicate: boolean;
  /** Whether the handler should apply its effects now. */
  apply: boolean;
  deliveries: number;
}

/**
 * Records deliveries in the caller's transaction, before the handlers' effects: one statement for
 * a whole batch, one row per (consumer, event). The upsert takes each row's lock: a concurrent
 * copy of the same event waits for this transaction and then sees it as a duplicate. Because the
 * rows commit with the effects, "seen" and "applied" can never disagree, whatever crashes.
 *
 * Copies of one event inside the batch (the relay publishes duplicates back to back) fold into one
 * row, since an upsert cannot touch a row twice; the first copy of a new event applies, the rest
 * are duplicates. Rows are locked in event-id order so two overlapping batches cannot deadlock.
 *
 * `dedup: false` (`--without inbox`) still counts deliveries but applies every copy, and records
 * how often it did in `applied`, so the checks can show the damage.
 *
 * Returns one Delivery per element of `events`, in the same order.
 */
export async function recordDeliveries(
  client: PoolClient,
  options: { consumer: string; events: readonly IncomingEvent[]; dedup: boolean },
): Promise<Delivery[]> {
  const { consumer, events, dedup } = options;
  const copies = new Map<string, { event: IncomingEvent; copies: number }>();
  // PostgreSQL answers uuids in lower case, whatever case the header had.
  const keyOf = (event: IncomingEvent): string => event.id.toLowerCase();
  for (const event of events) {
    const entry = copies.get(keyOf(event));
    if (entry) entry.copies += 1;
    else copies.set(keyOf(event), { event, copies: 1 });
  }
  const distinct = [...copies].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, entry]) => entry);
  const { rows } = await client.query<{ event_id: string; deliveries: number }>(
    `WITH ${APPLY_ORDER.replace('$POSITIONS', '$7')}
     INSERT INTO inbox AS i (consumer, event_id, event_type, topic, deliveries, applied, apply_seq)
     SELECT $1, e.id, e.type, e.topic, e.copies, CASE WHEN $5 THEN 1 ELSE e.copies END, n.apply_seq
     FROM unnest($2::uuid[], $3::text[], $4::text[], $6::int[], $7::int[]) AS e(id, type, topic, copies, position)
     JOIN numbered n USING (position) ORDER BY e.id
     ON CONFLICT (consumer, event_id) DO UPDATE
       SET deliveries = i.deliveries + EXCLUDED.deliveries,
           applied = i.applied + CASE WHEN $5 THEN 0 ELSE EXCLUDED.deliveries END,
           last_seen_at = now()
     RETURNING event_id, deliveries`,
    [
      consumer,
      distinct.map((entry) => entry.event.id),
      distinct.map((entry) => entry.event.type),
      distinct.map((entry) => entry.event.topic),
      dedup,
      distinct.map((entry) => entry.copies),
      distinct.map((entry) => events.indexOf(entry.event)),
    ],
  );
  const totals = new Map(rows.map((row) => [row.event_id, row.deliveries]));
  const seen = new Map<string, number>();
  return events.map((event) => {
    const key = keyOf(event);
    const batchCopies = copies.get(key)!.copies;
    const total = totals.get(key) ?? batchCopies;
    const copyIndex = seen.get(key) ?? 0;
    seen.set(key, copyIndex + 1);
    // Deliveries before this batch, plus the copies of it so far.
    const deliveries = total - batchCopies + copyIndex + 1;
    const duplicate = deliveries > 1;
    return { duplicate, apply: !duplicate || !dedup, deliveries };
  });
}

/** A delivery the inbox has seen before, found by recordFirstDeliveries. */
export class DuplicateDeliveryError extends Error {
  override name = 'DuplicateDeliveryError';
}

/**
 * Records events as first deliveries, all new: a plain INSERT, so a row already there (a copy, or a
 * concurrent copy that committed first) fails the statement, and with it the transaction, before
 * anything sent after it can run. It can then travel with the handlers' first statements instead
 * of a round trip ahead of them. Rejects with DuplicateDeliveryError then; the caller rolls back and
 * records the batch with recordDeliveries. `events` must be distinct.
 */
export async function recordFirstDeliveries(
  client: PoolClient,
  options: { consumer: string; events: readonly IncomingEvent[] },
): Promise<Delivery[]> {
  const { consumer, events } = options;
  try {
    await client.query(
      `WITH ${APPLY_ORDER.replace('$POSITIONS', '$5')}
       INSERT INTO inbox (consumer, event_id, event_type, topic, apply_seq)
       SELECT $1, e.id, e.type, e.topic, n.apply_seq
         FROM unnest($2::uuid[], $3::text[], $4::text[], $5::int[]) AS e(id, type, topic, position)
         JOIN numbered n USING (position) ORDER BY e.id`,
      [
        consumer,
        events.map((event) => event.id),
        events.map((event) => event.type),
        events.map((event) => event.topic),
        events.map((_, position) => position),
      ],
    );
  } catch (error) {
    const { code, constraint } = error as { code?: string; constraint?: string };
    if (code === '23505' && constraint === 'inbox_pkey')
      throw new DuplicateDeliveryError('a delivery of this batch was seen before');
    throw error;
  }
  return events.map(() => ({ duplicate: false, apply: true, deliveries: 1 }));
}
