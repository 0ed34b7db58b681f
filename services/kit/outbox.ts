/**
 * Transactional outbox.
 *
 * Pattern: a service that changes its state and announces it writes the event as a row of its own
 * database (the `outbox` table), in the same transaction as the state change. The relay
 * (relay.ts) publishes the rows to the broker afterwards.
 *
 * Guarantee: an event is published if and only if its state change committed; at least once, in
 * the order its aggregate's rows were written.
 *
 * Anomaly prevented: the dual write. Committing, then publishing (what `--without outbox` does
 * here, on purpose) loses the event for good when the process dies or the broker is away between
 * the two: the order is PENDING forever, nobody downstream ever hears of it. Publishing first and
 * then committing is worse: a rolled-back change announced as done.
 */
import { inTransaction, type Pool, type PoolClient } from './db.ts';
import { buildEvent, type EventContext, type EventDraft, type OutgoingEvent } from './events.ts';
import type { Logger } from './log.ts';

/** A unit of work: the transaction's connection and a way to emit events from it. */
export interface Tx {
  client: PoolClient;
  context: EventContext;
  emit(draft: EventDraft): Promise<OutgoingEvent>;
}

/** What routes and handlers write through, in either kit (the fast kit's writer does more). */
export interface EventWriter {
  readonly usesOutbox: boolean;
  transaction<T>(context: EventContext, work: (tx: Tx) => Promise<T>): Promise<T>;
}

/** Publishes events straight to the broker (used by `--without outbox`). */
export type DirectPublish = (events: OutgoingEvent[]) => Promise<void>;

/** A service's own record of each event it emits, in the emitting transaction (the order's history). */
export type RecordEmitted = (client: PoolClient, event: OutgoingEvent) => Promise<void>;

export const INSERT_OUTBOX_ROW = `
  INSERT INTO outbox (id, aggregatetype, aggregateid, type, topic, payload, headers, created_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`;

export function outboxRowValues(event: OutgoingEvent): unknown[] {
  return [
    event.id,
    event.aggregateType,
    event.aggregateId,
    event.type,
    event.topic,
    JSON.stringify(event.payload),
    JSON.stringify(event.headers),
    event.createdAt,
  ];
}

export interface OutboxWriterOptions {
  pool: Pool;
  /** The service name, the events' `producer` header. */
  producer: string;
  /** False with `--without outbox`: events are published after COMMIT instead (the dual write). */
  useOutbox: boolean;
  publishDirect?: DirectPublish | undefined;
  recordEmitted?: RecordEmitted | undefined;
  log: Logger;
}

/** Both writers need a direct publisher when there is no outbox to write to. */
export function checkWriterOptions(options: {
  useOutbox: boolean;
  publishDirect?: DirectPublish | undefined;
}): void {
  if (!options.useOutbox && !options.publishDirect)
    throw new Error('without the outbox a direct publisher is needed');
}

export class OutboxWriter implements EventWriter {
  readonly #options: OutboxWriterOptions;

  constructor(options: OutboxWriterOptions) {
    checkWriterOptions(options);
    this.#options = options;
  }

  get usesOutbox(): boolean {
    return this.#options.useOutbox;
  }

  /**
   * Runs `work` in one transaction. Each `tx.emit` inserts the event's outbox row right there, so
   * the row commits or rolls back with everything else the work did.
   */
  async transaction<T>(context: EventContext, work: (tx: Tx) => Promise<T>): Promise<T> {
    const emitted: OutgoingEvent[] = [];
    const result = await inTransaction(this.#options.pool, (client) =>
      work({
        client,
        context,
        emit: async (draft) => {
          const event = buildEvent(draft, context, this.#options.producer);
          if (this.#options.useOutbox)
            await client.query({
              name: 'outbox_insert_row', // prepared once per connection (see db.ts)
              text: INSERT_OUTBOX_ROW,
              values: outboxRowValues(event),
            });
          await this.#options.recordEmitted?.(client, event);
          emitted.push(event);
          return event;
        },
      }),
    );
    if (!this.#options.useOutbox)
      await publishAfterCommit(this.#options.publishDirect!, emitted, this.#options.log);
    return result;
  }
}

/** `--without outbox`: the dual write, publishing what was just committed. */
export async function publishAfterCommit(
  publish: DirectPublish,
  events: OutgoingEvent[],
  log: Logger,
): Promise<void> {
  if (events.length === 0) return;
  try {
    await publish(events);
  } catch (error) {
    // The dual write's failure mode, kept visible on purpose: the state is committed, the events are gone.
    log.error(
      { err: error, lost: events.map((event) => `${event.type}:${event.aggregateId}`) },
      'direct publish failed after commit: events lost (--without outbox)',
    );
  }
}
