/**
 * outbox_drained: no outbox row of any service is left unpublished after settling. A row written
 * in the last IN_FLIGHT_MS before the capture is on its way, not left (the oven and the price
 * ticker keep writing rows of their own); it is counted in the summary.
 */
import { DATABASE_SERVICES } from '../../../common/roster.ts';
import { IN_FLIGHT_MS } from './scope.ts';
import { type CheckDefinition, invalid, valid } from './types.ts';

export const outboxDrained: CheckDefinition = {
  name: 'outbox_drained',
  description: 'no outbox row of any service is left unpublished after settling',
  run: (context) => {
    const { rows, scope } = context.snapshot;
    const startedAt = Date.parse(scope.startedAt);
    const inFlightSince = Date.parse(context.snapshot.capturedAt) - IN_FLIGHT_MS;
    let inFlight = 0;
    const backlog: Array<Record<string, unknown>> = [];
    const byService = new Map<string, number>();
    let published = 0;
    for (const service of DATABASE_SERVICES) {
      for (const row of rows[service].outbox) {
        if (row.published_at !== null) {
          if (Date.parse(row.created_at) >= startedAt) published++;
          continue;
        }
        if (Date.parse(row.created_at) > inFlightSince) {
          inFlight++;
          continue;
        }
        byService.set(service, (byService.get(service) ?? 0) + 1);
        backlog.push({
          service,
          event_id: row.event_id,
          type: row.type,
          aggregateid: row.aggregateid,
          created_at: row.created_at,
        });
      }
    }
    if (backlog.length === 0)
      return valid(
        `every outbox is empty (${published} events published this run${inFlight > 0 ? `, ${inFlight} written in the last ${IN_FLIGHT_MS / 1000} s still on their way` : ''})`,
      );
    return invalid(
      `unpublished outbox rows: ${[...byService].map(([service, count]) => `${service} ${count}`).join(', ')}`,
      backlog,
    );
  },
};
