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

/** One statement for all of a transaction's events, in emit order (their `seq` follows it). */
export async function insertOutbox(client: PoolClient, events: readonly OutgoingEvent[]): Promise<void> {
  if (events.length === 0) return;
  await client.query(
    `INSERT INTO outbox (id, aggregatetype, aggregateid, type, topic, payload, headers, created_at)
     SELECT id, aggregatetype, aggregateid, type, topic, payload::jsonb, headers::jsonb, created_at
     FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::timestamptz[])
       WITH ORDINALITY AS e(id, aggregatetype, aggregateid, type, topic, payload, headers, created_at, n)
     ORDER BY n`,
    [
      events.map((event) => event.id),
      events.map((event) => event.aggregateType),
      events.map((event) => event.aggregateId),
      events.map((event) => event.type),
      events.map((event) => event.topic),
      events.map((event) => JSON.stringify(event.payload)),
      events.map((event) => JSON.stringify(event.headers)),
      events.map((event) => event.createdAt),
    ],
  );
}

/** Opens a unit of work inside a shared transaction: its own context (causation), the shared connection. */
export type OpenUnit = (context: EventContext) => Tx;

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

  transaction<T>(context: EventContext, work: (tx: Tx) => Promise<T>): Promise<T> {
    return this.batch((open) => work(open(context)));
  }

  /**
   * Several units of work in one transaction (a consumer's batch of events): each unit emits with
   * its own context, all of them commit or none does, and their events are written by one
   * statement just before COMMIT (or, without the outbox, published after it).
   */
  async batch<T>(work: (open: OpenUnit, client: PoolClient) => Promise<T>): Promise<T> {
    const pending: OutgoingEvent[] = [];
    const result = await inTransaction(this.#pool, async (client) => {
      const value = await work(
        (context) => ({
          client,
          context,
          emit: async (draft) => {
            const event = buildEvent(draft, context, this.#producer);
            pending.push(event);
            return event;
          },
        }),
        client,
      );
      if (this.#useOutbox) await insertOutbox(client, pending);
      return value;
    });
    if (!this.#useOutbox && pending.length > 0 && this.#publishDirect) {
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
