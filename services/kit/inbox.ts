import type { PoolClient } from './db.ts';
import type { IncomingEvent } from './events.ts';

export interface Delivery {
  /** The event was already processed by this consumer (this delivery is a copy). */
  duplicate: boolean;
  /** Whether the handler should apply its effects now. */
  apply: boolean;
  deliveries: number;
}

/**
 * Records a delivery in the caller's transaction, before the handler's effects. The upsert takes
 * the row lock of (consumer, event_id): a concurrent copy of the same event waits for this
 * transaction and then sees it as a duplicate. Because the row commits with the effects, "seen"
 * and "applied" can never disagree, whatever crashes.
 *
 * `dedup: false` (`--without inbox`) still counts deliveries but applies every copy, and records
 * how often it did in `applied`, so the checks can show the damage.
 */
export async function recordDelivery(
  client: PoolClient,
  options: { consumer: string; event: IncomingEvent; dedup: boolean },
): Promise<Delivery> {
  const { consumer, event, dedup } = options;
  const result = await client.query<{ deliveries: number }>(
    `INSERT INTO inbox (consumer, event_id, event_type, topic) VALUES ($1, $2, $3, $4)
     ON CONFLICT (consumer, event_id) DO UPDATE
       SET deliveries = inbox.deliveries + 1, applied = inbox.applied + $5, last_seen_at = now()
     RETURNING deliveries`,
    [consumer, event.id, event.type, event.topic, dedup ? 0 : 1],
  );
  const deliveries = result.rows[0]?.deliveries ?? 1;
  const duplicate = deliveries > 1;
  return { duplicate, apply: !duplicate || !dedup, deliveries };
}
