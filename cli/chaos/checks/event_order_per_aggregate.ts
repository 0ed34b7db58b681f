/**
 * event_order_per_aggregate: every consumer applied each aggregate's events in the order their
 * producer published them (outbox seq). The relay publishes an aggregate's events in commit order
 * on one partition (the aggregate id is the key), and a consumer takes a partition's messages one
 * after the other; a relay that publishes out of order, or a consumer that skips ahead while an
 * earlier event is still being retried, would apply "confirmed" before "placed".
 * The apply order is the inbox's apply_seq (drawn when the consumer first applied the event).
 * Events of different producers have no order between them, so each producer's events of one
 * aggregate are compared on their own.
 */
import { DATABASE_SERVICES } from '../../../common/roster.ts';
import { type RunOutboxRow, runOutboxRows } from './run-outbox.ts';
import { type CheckDefinition, invalid, unknown, valid } from './types.ts';

interface Applied {
  event: RunOutboxRow;
  applySeq: number;
}

export const eventOrderPerAggregate: CheckDefinition = {
  name: 'event_order_per_aggregate',
  description: "every consumer applied each aggregate's events in the order their producer published them",
  optIn: true,
  run: (context) => {
    const { rows } = context.snapshot;
    const events = runOutboxRows(context.snapshot);
    const streams = new Map<string, Applied[]>();
    let numbered = 0;
    for (const consumer of DATABASE_SERVICES)
      for (const row of rows[consumer].inbox) {
        if (row.apply_seq === undefined || row.apply_seq === null) continue;
        numbered++;
        const event = events.get(row.event_id);
        if (!event) continue;
        const key = `${row.consumer}\u0000${event.producer}\u0000${event.aggregatetype}\u0000${event.aggregateid}`;
        const stream = streams.get(key) ?? [];
        stream.push({ event, applySeq: row.apply_seq });
        streams.set(key, stream);
      }
    if (numbered === 0 && DATABASE_SERVICES.some((service) => rows[service].inbox.length > 0))
      return unknown('the inbox rows carry no apply order (a run captured before inbox.apply_seq existed)');
    const outOfOrder: Array<Record<string, unknown>> = [];
    let compared = 0;
    for (const [key, stream] of streams) {
      if (stream.length < 2) continue;
      compared++;
      stream.sort((a, b) => a.applySeq - b.applySeq);
      for (let index = 1; index < stream.length; index++) {
        const earlier = stream[index - 1]!.event;
        const later = stream[index]!.event;
        if (later.seq > earlier.seq) continue;
        outOfOrder.push({
          consumer: key.split('\u0000')[0],
          producer: later.producer,
          aggregate: `${later.aggregatetype} ${later.aggregateid}`,
          applied_first: `${earlier.type} (seq ${earlier.seq})`,
          applied_then: `${later.type} (seq ${later.seq})`,
          event_ids: [earlier.event_id, later.event_id],
        });
      }
    }
    if (outOfOrder.length === 0)
      return valid(
        `every consumer applied each aggregate's events in publish order (${compared} event streams of 2 or more)`,
      );
    return invalid(`${outOfOrder.length} events applied before an event published ahead of them`, outOfOrder);
  },
};
