/**
 * no_lost_event: every event the run's services wrote to an outbox was published, and reached
 * every consumer group that applies its type on its topic (cli/chaos/subscriptions.ts, read from
 * the handler maps): that group's inbox has the event. This is the transactional outbox and
 * at-least-once delivery, end to end: a state change whose event never left its outbox, or a
 * consumer that committed an offset past an event it never applied, is a saga step that silently
 * did not happen. An event a consumer dead-lettered did not reach it either, and says so.
 */
import { consumersOf } from '../subscriptions.ts';
import { runOutboxRows } from './run-outbox.ts';
import { IN_FLIGHT_MS } from './scope.ts';
import { type CheckDefinition, invalid, valid } from './types.ts';

export const noLostEvent: CheckDefinition = {
  name: 'no_lost_event',
  description:
    'every outbox row of the run was published and reached every consumer group that subscribes to its topic and type',
  optIn: true,
  run: ({ snapshot }) => {
    const { rows } = snapshot;
    const events = runOutboxRows(snapshot);
    const received = new Set<string>();
    const deadLettered = new Set<string>();
    for (const [consumer, tables] of Object.entries(rows)) {
      for (const row of tables.inbox) received.add(`${consumer}\u0000${row.event_id}`);
      for (const row of tables.dead_letters)
        if (row.event_id) deadLettered.add(`${consumer}\u0000${row.event_id.toLowerCase()}`);
    }
    const lost: Array<Record<string, unknown>> = [];
    const inFlightSince = Date.parse(snapshot.capturedAt) - IN_FLIGHT_MS;
    let deliveries = 0;
    let inFlight = 0;
    for (const event of events.values()) {
      const about = {
        event_id: event.event_id,
        type: event.type,
        topic: event.topic,
        producer: event.producer,
        aggregateid: event.aggregateid,
      };
      if (event.published_at === null) {
        lost.push({ ...about, problem: 'never published' });
        continue;
      }
      for (const consumer of consumersOf(event.topic, event.type)) {
        const key = `${consumer}\u0000${event.event_id}`;
        if (received.has(key)) deliveries++;
        else if (Date.parse(event.published_at) > inFlightSince && !deadLettered.has(key)) inFlight++;
        else
          lost.push({
            ...about,
            consumer,
            problem: deadLettered.has(key) ? 'dead-lettered by the consumer' : 'never reached the consumer',
          });
      }
    }
    if (lost.length === 0)
      return valid(
        `all ${events.size} events published and delivered (${deliveries} deliveries to their consumers${inFlight > 0 ? `, ${inFlight} still in flight at the capture` : ''})`,
      );
    return invalid(
      `${lost.length} event deliveries missing (${lost.filter((item) => item.problem === 'never published').length} never published)`,
      lost,
    );
  },
};
