/**
 * idempotent_consumers: no consumer applied an event's effects twice (inbox.applied > 1), and when
 * the scenario injected duplicates (duplicate, redeliver, relay_crash) they really reached the
 * consumers (some inbox row has deliveries > 1); otherwise the fault proved nothing.
 * Only events first seen during this run count: a rewound group also replays earlier runs' events.
 */
import { DATABASE_SERVICES } from '../../../common/roster.ts';
import { type Check, evidence } from './types.ts';

export const idempotentConsumers: Check = async (context) => {
  const twice: Array<Record<string, unknown>> = [];
  let duplicatesDelivered = 0;
  let twiceTotal = 0;
  for (const service of DATABASE_SERVICES) {
    const db = context.databases[service];
    const { rows } = await db.query<Record<string, unknown>>(
      `SELECT consumer, event_id::text, event_type, topic, deliveries, applied FROM inbox
        WHERE first_seen_at >= $1 AND applied > 1 ORDER BY last_seen_at LIMIT 50`,
      [context.scope.startedAt],
    );
    const { rows: sums } = await db.query<{ extra: number; twice: number }>(
      `SELECT coalesce(sum(deliveries - 1), 0)::int AS extra, count(*) FILTER (WHERE applied > 1)::int AS twice
         FROM inbox WHERE first_seen_at >= $1`,
      [context.scope.startedAt],
    );
    duplicatesDelivered += sums[0]?.extra ?? 0;
    twiceTotal += sums[0]?.twice ?? 0;
    twice.push(...rows);
  }
  if (twiceTotal > 0)
    return {
      verdict: 'invalid',
      summary: `${twiceTotal} events were applied more than once by a consumer`,
      evidence: { total: twiceTotal, items: twice.slice(0, 20) },
    };
  if (context.scope.duplicatesInjected && duplicatesDelivered === 0)
    return {
      verdict: 'invalid',
      summary: 'duplicates were injected but none reached a consumer: the fault had no effect',
      evidence: evidence([{ duplicates_delivered: 0 }]),
    };
  return {
    verdict: 'valid',
    summary:
      duplicatesDelivered > 0
        ? `${duplicatesDelivered} duplicate deliveries, every one skipped by the inbox`
        : 'no event applied twice (no duplicates delivered)',
    evidence: evidence([]),
  };
};
