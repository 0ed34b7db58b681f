import type { Pool, PoolClient } from './db.ts';
import { inTransaction } from './db.ts';
import { buildEvent, type EventContext, type EventDraft, type OutgoingEvent } from './events.ts';
import type { Logger } from './log.ts';

/** A unit of work: the transaction's connection plus a way to emit events from it. */
export interface Tx {
  client: PoolClient;
  context: EventContext;
  emit(draft: EventDraft): Promise<OutgoingEvent>;
}

/** Publishes events straight to the broker (used by `--without outbox`). */
export type DirectPublish = (events: OutgoingEvent[]) => Promise<void>;

export async function insertOutbox(client: PoolClient, event: OutgoingEvent): Promise<void> {
  await client.query(
    `INSERT INTO outbox (id, aggregatetype, aggregateid, type, topic, payload, headers, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
    [
      event.id,
      event.aggregateType,
      event.aggregateId,
      event.type,
      event.topic,
      event.payload,
      event.headers,
      event.createdAt,
    ],
  );
}

/**
 * Runs state changes and their events as one unit.
 *
 * With the outbox (default) an event is a row written in the same transaction as the state
 * change: both commit or neither does, and the relay publishes it later (at least once).
 * With `--without outbox` events are buffered and published after COMMIT: the classic dual
 * write, where a crash or a broker outage between the two loses the event for good.
 */
export class EventWriter {
  readonly #pool: Pool;
  readonly #producer: string;
  readonly #useOutbox: boolean;
  readonly #publishDirect: DirectPublish | undefined;
  readonly #log: Logger;

  constructor(options: {
    pool: Pool;
    producer: string;
    useOutbox: boolean;
    publishDirect?: DirectPublish;
    log: Logger;
  }) {
    if (!options.useOutbox && !options.publishDirect)
      throw new Error('without the outbox a direct publisher is needed');
    this.#pool = options.pool;
    this.#producer = options.producer;
    this.#useOutbox = options.useOutbox;
    this.#publishDirect = options.publishDirect;
    this.#log = options.log;
  }

  get usesOutbox(): boolean {
    return this.#useOutbox;
  }

  async transaction<T>(context: EventContext, work: (tx: Tx) => Promise<T>): Promise<T> {
    const pending: OutgoingEvent[] = [];
    const result = await inTransaction(this.#pool, (client) =>
      work({
        client,
        context,
        emit: async (draft) => {
          const event = buildEvent(draft, context, this.#producer);
          if (this.#useOutbox) await insertOutbox(client, event);
          else pending.push(event);
          return event;
        },
      }),
    );
    if (pending.length > 0 && this.#publishDirect) {
      try {
        await this.#publishDirect(pending);
      } catch (error) {
        // The dual write's failure mode, kept visible on purpose: the state is committed, the events are gone.
        this.#log.error(
          { err: error, lost: pending.map((event) => `${event.type}:${event.aggregateId}`) },
          'direct publish failed after commit: events lost (--without outbox)',
        );
      }
    }
    return result;
  }
}
