/**
 * idempotent_consumers: no consumer applied an event's effects twice (inbox.applied > 1), and when
 * the scenario injected duplicates (duplicate, redeliver, relay_crash) they really reached the
 * consumers (some inbox row has deliveries > 1); otherwise the fault proved nothing.
 * Only events first seen during this run count (the snapshot holds no others): a rewound group
 * also replays earlier runs' events.
 */
import { DATABASE_SERVICES } from '../../../common/roster.ts';
import { compareText } from './scope.ts';
import { type CheckDefinition, invalid, valid } from './types.ts';

export const idempotentConsumers: CheckDefinition = {
  name: 'idempotent_consumers',
  description:
    'no consumer applied an event twice, and the duplicates a fault injected really reached the consumers',
  run: (context) => {
    const twice: Array<Record<string, unknown>> = [];
    let duplicatesDelivered = 0;
    for (const service of DATABASE_SERVICES) {
      const inbox = context.snapshot.rows[service].inbox;
      for (const row of inbox) duplicatesDelivered += row.deliveries - 1;
      twice.push(
        ...inbox
          .filter((row) => row.applied > 1)
          .sort((a, b) => compareText(a.last_seen_at, b.last_seen_at))
          .map((row) => ({ ...row })),
      );
    }
    if (twice.length > 0)
      return invalid(`${twice.length} events were applied more than once by a consumer`, twice);
    if (context.snapshot.scope.duplicatesInjected && duplicatesDelivered === 0)
      return invalid('duplicates were injected but none reached a consumer: the fault had no effect', [
        { duplicates_delivered: 0 },
      ]);
    return valid(
      duplicatesDelivered > 0
        ? `${duplicatesDelivered} duplicate deliveries, every one skipped by the inbox`
        : 'no event applied twice (no duplicates delivered)',
    );
  },
};
