import type { PoolClient } from '../kit/db.ts';
import type { IncomingEvent, OutgoingEvent } from '../kit/events.ts';
import type { Logger } from '../kit/log.ts';
import { historyOfIncoming, historyOfOwn, historyStatement } from './saga.ts';

/**
 * The fast kit's form of the order's history (saga.ts, orderHistory), used only by `--kit fast`:
 * one statement for everything a transaction received (before the handlers move the saga on) and
 * one for what it emitted, instead of one per event.
 */
export const fastOrderJournal = {
  received: async (client: PoolClient, events: readonly IncomingEvent[], log: Logger): Promise<void> => {
    const { text, values } = historyStatement(events.map(historyOfIncoming));
    const { rows: unknown } = await client.query<{ order_id: string; event_id: string }>(text, values);
    for (const entry of unknown)
      log.warn({ orderId: entry.order_id, eventId: entry.event_id }, 'event for an unknown order ignored');
  },
  emitted: (events: readonly OutgoingEvent[]) => historyStatement(events.map(historyOfOwn)),
};
