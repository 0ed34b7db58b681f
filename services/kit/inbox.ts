/**
 * Inbox (idempotent consumer).
 *
 * Pattern: before a handler acts on an event, the consumer records `(consumer, event id)` in its
 * `inbox` table, in the same transaction as the handler's effects. A delivery whose id is there
 * already is a duplicate: it is skipped and counted.
 *
 * Guarantee: each event's effects are applied at most once per consumer, however often the broker
 * delivers it (the relay publishes at least once; a consumer crash redelivers what it had not
 * committed). With the relay's at-least-once: exactly-once effects.
 *
 * Anomaly prevented: a redelivered StockReserved charged twice, a unit reserved twice. Because the
 * row commits with the effects, "seen" and "applied" can never disagree, whatever crashes: a
 * rolled-back handler leaves no inbox row, and the retry applies.
 *
 * `dedup: false` (`--without inbox`) still counts deliveries but applies every copy, and records
 * how often it did in `applied`, so the checks can show the damage.
 */
import type { PoolClient } from './db.ts';
import type { IncomingEvent } from './events.ts';

export interface Delivery {
  /** This consumer has seen the event before: this delivery is a copy. */
  duplicate: boolean;
  /** Whether the handler applies its effects now. */
  apply: boolean;
  /** How many times the event was delivered to this consumer, this one included. */
  deliveries: number;
}

/**
 * The upsert takes the row's lock: a concurrent copy of the same event waits for this transaction,
 * then sees it as a duplicate.
 */
const RECORD_DELIVERY = `
  INSERT INTO inbox AS i (consumer, event_id, event_type, topic)
  VALUES ($1, $2, $3, $4)
  ON CONFLICT (consumer, event_id) DO UPDATE
    SET deliveries = i.deliveries + 1,
        applied = i.applied + CASE WHEN $5 THEN 0 ELSE 1 END,
        last_seen_at = now()
  RETURNING deliveries`;

export async function recordDelivery(
  client: PoolClient,
  options: { consumer: string; event: IncomingEvent; dedup: boolean },
): Promise<Delivery> {
  const { consumer, event, dedup } = options;
  // Named: prepared once per connection, as it runs for every event (see db.ts).
  const { rows } = await client.query<{ deliveries: number }>({
    name: 'inbox_record_delivery',
    text: RECORD_DELIVERY,
    values: [consumer, event.id, event.type, event.topic, dedup],
  });
  const deliveries = rows[0]!.deliveries;
  const duplicate = deliveries > 1;
  return { duplicate, apply: !duplicate || !dedup, deliveries };
}
