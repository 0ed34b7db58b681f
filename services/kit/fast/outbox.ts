/**
 * The fast kit's outbox writer: the reference contract (outbox rows commit with the state change,
 * kit/outbox.ts), with several units of work per transaction, one statement for all of a
 * transaction's outbox rows, a one-statement form, and the relay's claim sent with the COMMIT.
 */
import type { QueryResultRow } from 'pg';
import { rollbackAndRelease } from '../db.ts';
import { buildEvent, type EventContext, type EventDraft, type OutgoingEvent } from '../events.ts';
import {
  checkWriterOptions,
  type EventWriter,
  type OutboxWriterOptions,
  outboxRowValues,
  publishAfterCommit,
  type Tx,
} from '../outbox.ts';
import { type HandOver, inTransaction, type Pool, type PoolClient } from './pool.ts';

/**
 * The INSERT of events' outbox rows, in the given order (their `seq` follows it), from the eight
 * parameters $first..$first+7 (outboxParams).
 */
function outboxInsert(first: number): string {
  const [id, aggregatetype, aggregateid, type, topic, payload, headers, createdAt] = Array.from(
    { length: 8 },
    (_, index) => `$${first + index}`,
  );
  return `INSERT INTO outbox (id, aggregatetype, aggregateid, type, topic, payload, headers, created_at)
     SELECT id, aggregatetype, aggregateid, type, topic, payload::jsonb, headers::jsonb, created_at
     FROM unnest(${id}::uuid[], ${aggregatetype}::text[], ${aggregateid}::text[], ${type}::text[], ${topic}::text[],
                 ${payload}::text[], ${headers}::text[], ${createdAt}::timestamptz[])
       WITH ORDINALITY AS e(id, aggregatetype, aggregateid, type, topic, payload, headers, created_at, n)
     ORDER BY n`;
}

/** The outbox rows' values (kit/outbox.ts), column by column: one array parameter per column. */
function outboxParams(events: readonly OutgoingEvent[]): unknown[] {
  const rows = events.map(outboxRowValues);
  return Array.from({ length: 8 }, (_, column) => rows.map((row) => row[column]));
}

const INSERT_OUTBOX = outboxInsert(1);

/** One statement for all of a transaction's events, in emit order. */
export async function insertOutbox(client: PoolClient, events: readonly OutgoingEvent[]): Promise<void> {
  if (events.length === 0) return;
  await client.query(INSERT_OUTBOX, outboxParams(events));
}

/**
 * The events' outbox rows as a CTE (`outbox_rows`) of the caller's own statement, reading the
 * parameters after the statement's: `outboxRows(values.length + 1)`.
 */
export type OutboxRowsCte = (firstParam: number) => string;

const outboxRowsCte: OutboxRowsCte = (first) => `outbox_rows AS (${outboxInsert(first)})`;

/** Without the outbox the rows are not written; the parameters still need a type. */
const unwrittenOutboxRowsCte: OutboxRowsCte = (first) =>
  `outbox_rows AS (SELECT $${first}::uuid[], $${first + 1}::text[], $${first + 2}::text[], $${first + 3}::text[],
     $${first + 4}::text[], $${first + 5}::text[], $${first + 6}::text[], $${first + 7}::timestamptz[])`;

/**
 * The statement doing set-based work on every event a transaction emitted, run in that transaction
 * just before their outbox rows are written (the order service's history of its own events). A
 * statement rather than a function that runs one: it is sent together with the outbox insert and
 * COMMIT, so nothing of it may wait for anything first.
 */
export type EmittedJournal = (events: readonly OutgoingEvent[]) => { text: string; values: unknown[] };

/**
 * The relay's session for a writer about to commit outbox rows, or undefined when none is free
 * (kit/relay.ts, Relay.claimOnCommit).
 */
export type ClaimOnCommit = (ids: readonly string[]) => HandOver | undefined;

/**
 * Said before the outbox insert of a transaction whose rows the relay claims on commit: the trigger
 * then wakes no relay (kit migration 005).
 */
const CLAIMED_ON_COMMIT = "SET LOCAL lab.outbox_claimed_on_commit TO 'on'";

/** Opens a unit of work inside a shared transaction: its own context (causation), the shared connection. */
export type OpenUnit = (context: EventContext) => Tx;

/** The reference writer's options, with the pipelining pool and the set-based journal. */
export interface FastEventWriterOptions extends Omit<OutboxWriterOptions, 'pool' | 'recordEmitted'> {
  pool: Pool;
  journal?: EmittedJournal | undefined;
}

/**
 * Runs state changes and their events as one unit (kit/outbox.ts says why). With `--without
 * outbox` events are buffered and published after COMMIT: the dual write.
 */
export class FastEventWriter implements EventWriter {
  readonly #options: FastEventWriterOptions;
  #claimOnCommit: ClaimOnCommit | undefined;

  constructor(options: FastEventWriterOptions) {
    checkWriterOptions(options);
    this.#options = options;
  }

  get usesOutbox(): boolean {
    return this.#options.useOutbox;
  }

  /**
   * Lets the relay claim each transaction's rows right after its COMMIT, in the same round trip, so
   * an event does not wait for a notification, the relay's current round and a claim of its own.
   */
  claimOnCommitWith(claimOnCommit: ClaimOnCommit): void {
    this.#claimOnCommit = claimOnCommit;
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
    let claim: HandOver | undefined;
    const result = await inTransaction(
      this.#options.pool,
      (client) =>
        work(
          (context) => ({
            client,
            context,
            emit: async (draft) => {
              const event = buildEvent(draft, context, this.#options.producer);
              pending.push(event);
              return event;
            },
          }),
          client,
        ),
      // The journal, the outbox rows and COMMIT travel together (the connection pipelines).
      async (client) => {
        if (pending.length === 0) return;
        if (this.#options.useOutbox) claim = this.#claimOnCommit?.(pending.map((event) => event.id));
        const journal = this.#options.journal?.(pending);
        await Promise.all([
          claim && client.query(CLAIMED_ON_COMMIT),
          journal && client.query(journal.text, journal.values),
          this.#options.useOutbox ? insertOutbox(client, pending) : undefined,
        ]);
      },
      () => claim,
    );
    await this.#publishAfterCommit(pending);
    return result;
  }

  /**
   * A state change and its events as ONE statement, outside any transaction (one statement is
   * atomic): the outbox rows are written by a CTE of that statement, so a unit of work that needs no
   * decision between its writes costs one round trip instead of four (BEGIN, the change, the outbox
   * insert, COMMIT). `build` gets the events, ids and all, and the CTE to put in its WITH list; it
   * records in the statement itself whatever the journal would have.
   */
  async statement<Row extends QueryResultRow>(
    context: EventContext,
    drafts: readonly EventDraft[],
    build: (events: OutgoingEvent[], outboxRows: OutboxRowsCte) => { text: string; values: unknown[] },
  ): Promise<Row[]> {
    const events = drafts.map((draft) => buildEvent(draft, context, this.#options.producer));
    const { text, values } = build(events, this.#options.useOutbox ? outboxRowsCte : unwrittenOutboxRowsCte);
    const params = [...values, ...outboxParams(events)];
    const claim =
      this.#options.useOutbox && events.length > 0
        ? this.#claimOnCommit?.(events.map((event) => event.id))
        : undefined;
    if (!claim) {
      const { rows } = await this.#options.pool.query<Row>(text, params);
      await this.#publishAfterCommit(events);
      return rows;
    }
    return this.#statementClaimedOnCommit<Row>(text, params, claim);
  }

  /**
   * The statement in a transaction of its own (for CLAIMED_ON_COMMIT), sent at once with BEGIN,
   * COMMIT and the relay's claim: one round trip still.
   */
  async #statementClaimedOnCommit<Row extends QueryResultRow>(
    text: string,
    params: unknown[],
    claim: HandOver,
  ): Promise<Row[]> {
    let client: PoolClient;
    try {
      client = await this.#options.pool.connect();
    } catch (error) {
      claim.drop();
      throw error;
    }
    const begun = client.query(`BEGIN; ${CLAIMED_ON_COMMIT}`);
    const changed = client.query<Row>(text, params);
    // After a failed statement this COMMIT rolls back without an error: `changed` says so.
    const committed = client.query('COMMIT');
    claim.send(client);
    try {
      await Promise.all([begun, changed, committed]);
    } catch (error) {
      claim.drop();
      await rollbackAndRelease(client);
      throw error;
    }
    claim.adopt(client);
    return (await changed).rows;
  }

  /** `--without outbox`: the dual write, publishing what was just committed. */
  async #publishAfterCommit(events: OutgoingEvent[]): Promise<void> {
    if (this.#options.useOutbox || !this.#options.publishDirect) return;
    await publishAfterCommit(this.#options.publishDirect, events, this.#options.log);
  }
}
