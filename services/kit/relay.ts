/**
 * Outbox relay (polling publisher).
 *
 * Pattern: a loop that claims unpublished outbox rows, publishes them to the broker with the
 * aggregate id as key, and marks them published, all inside one database transaction. It is woken
 * by LISTEN/NOTIFY (a trigger on the outbox notifies at commit) and polls as well, since a
 * notification is lost with its connection.
 *
 * Guarantee: every committed outbox row is published at least once, and one aggregate's events
 * reach the broker in the order they were written, even with several relays running at once.
 *
 * Anomalies prevented: a lost event (rows stay unpublished until a relay has published them), and
 * an order's events overtaking each other. At-least-once, not exactly-once: if the relay dies after
 * publishing and before its COMMIT, the rows are still unpublished and go out again; the consumers'
 * inboxes absorb the copy.
 *
 * Why claims are per aggregate: FOR UPDATE SKIP LOCKED alone lets two relays share the work, but
 * relay A could lock event 1 of an order while relay B skips it and publishes event 2 first. So a
 * relay claims whole aggregates, and the claim is the lock on the aggregate's *head*, its oldest
 * unpublished row. Relays only select heads, so while A holds an order's head, B skips that order
 * entirely (its later rows are not heads). Having claimed a head, A locks the aggregate's later rows
 * too and publishes them all in `seq` order. This relies on an aggregate's rows committing in `seq`
 * order, which holds in the shop: each of an order's events is caused by the one before, and
 * writers of one order serialise on the order's row lock.
 */
import pg from 'pg';
import { connect, type Pool, rollbackAndRelease } from './db.ts';
import type { OutgoingEvent } from './events.ts';
import type { FaultHooks } from './faults.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import { retry, UNTIL_IT_WORKS } from './retry.ts';

export interface OutboxRow {
  id: string;
  seq: number;
  aggregatetype: string;
  aggregateid: string;
  type: string;
  topic: string;
  payload: Record<string, unknown>;
  headers: Record<string, string>;
  created_at: Date;
}

/**
 * One statement: the heads are claimed first (MATERIALIZED: their SKIP LOCKED locks are taken
 * before the outer query runs), then every unpublished row of those aggregates is locked with plain
 * FOR UPDATE: inside aggregates we own, skipping a row would publish out of order. The head test is
 * a scalar subquery per candidate, one short index scan each.
 */
export const CLAIM_HEADS = `
  WITH heads AS MATERIALIZED (
    SELECT o.aggregateid FROM outbox o
    WHERE o.published_at IS NULL
      AND o.seq = (
        SELECT older.seq FROM outbox older
        WHERE older.aggregateid = o.aggregateid AND older.published_at IS NULL
        ORDER BY older.aggregateid, older.seq
        LIMIT 1)
    ORDER BY o.seq
    LIMIT $1
    FOR UPDATE OF o SKIP LOCKED)
  SELECT id, seq, aggregatetype, aggregateid, type, topic, payload, headers, created_at FROM outbox
  WHERE published_at IS NULL AND aggregateid = ANY (ARRAY(SELECT aggregateid FROM heads))
  ORDER BY seq
  LIMIT $1
  FOR UPDATE`;

/**
 * Marks the claimed rows ($1) published, each with the extra copies a duplicate fault sent ($2, in
 * the same order). `id = ANY ($1)` is a primary key lookup whatever the planner thinks of the table:
 * a join with the arrays, prepared while the outbox was still empty, is planned as a scan of the
 * whole table, and a prepared statement keeps that plan as the outbox grows.
 */
export const MARK_PUBLISHED = `
  UPDATE outbox SET published_at = clock_timestamp(),
    copies_published = copies_published + ($2::int[])[array_position($1::uuid[], id)]
  WHERE id = ANY ($1::uuid[])`;

export type Publish = (events: OutgoingEvent[]) => Promise<void>;

export interface RelayOptions {
  pool: Pool;
  /** Connection string for the LISTEN connection (the relay's wake-up call). */
  listenUrl: string;
  publish: Publish;
  faults: FaultHooks;
  metrics?: Metrics | undefined;
  log: Logger;
  batchSize?: number;
  /** Poll even without a notification. */
  pollIntervalMs?: number;
  /** What relay_crash does; the default is an abrupt SIGKILL of this process. */
  crash?: () => void;
}

export function toEvent(row: OutboxRow): OutgoingEvent {
  return {
    id: row.id,
    topic: row.topic,
    type: row.type,
    aggregateType: row.aggregatetype,
    aggregateId: row.aggregateid,
    payload: row.payload,
    headers: row.headers,
    createdAt: row.created_at,
  };
}

/**
 * Publishes claimed rows (with the copies the duplicate faults add); returns the copies per row, for
 * the mark. relay_crash strikes here: after the publish, before the mark, the at-least-once window.
 */
export async function publishClaimed(
  rows: OutboxRow[],
  options: Pick<RelayOptions, 'publish' | 'faults' | 'log'> & { crash: () => void },
): Promise<number[]> {
  const { sent, copies } = options.faults.withCopies(rows.map(toEvent));
  await options.publish(sent);
  if (options.faults.takeRelayCrash()) {
    options.log.warn({ rows: rows.length }, 'relay_crash fault: dying after publish, before marking');
    options.crash();
    throw new Error('relay_crash: crashed before marking');
  }
  return copies;
}

/**
 * Keeps a `LISTEN outbox` connection open from start() to stop(), calling `onNews` on each
 * notification and on each (re)connection (for anything committed while nobody listened). While it
 * is down, the relay's poll goes on publishing.
 */
export class OutboxListener {
  readonly #options: { listenUrl: string; onNews: () => void };
  #running = false;
  #client: pg.Client | undefined;
  #loop: Promise<void> | undefined;

  constructor(options: { listenUrl: string; onNews: () => void }) {
    this.#options = options;
  }

  start(): void {
    this.#running = true;
    this.#loop = this.#listen();
  }

  async stop(): Promise<void> {
    this.#running = false;
    await this.#client?.end().catch(() => {});
    await this.#loop;
  }

  async #listen(): Promise<void> {
    while (this.#running) {
      const client = new pg.Client({
        connectionString: this.#options.listenUrl,
        connectionTimeoutMillis: 5000,
      });
      const lost = new Promise<void>((resolve) => {
        client.on('error', () => resolve());
        client.on('end', () => resolve());
      });
      client.on('notification', () => this.#options.onNews());
      try {
        await client.connect();
        await client.query('LISTEN outbox');
        // A stop() during the connect found no connection to end: this one is not waited on then.
        if (this.#running) {
          this.#client = client;
          this.#options.onNews();
          await lost;
        }
      } catch {
        // The poll keeps publishing meanwhile.
      }
      this.#client = undefined;
      await client.end().catch(() => {});
      if (this.#running) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  }
}

export class Relay {
  readonly #options: RelayOptions & { batchSize: number; pollIntervalMs: number; crash: () => void };
  #running = false;
  #loop: Promise<void> | undefined;
  readonly #listener: OutboxListener;
  /** A notification came since the last claim began: there may be rows it has not seen. */
  #news = false;
  #wake: (() => void) | undefined;

  constructor(options: RelayOptions) {
    this.#options = {
      batchSize: 100,
      pollIntervalMs: 1000,
      crash: () => process.kill(process.pid, 'SIGKILL'),
      ...options,
    };
    this.#listener = new OutboxListener({ listenUrl: options.listenUrl, onNews: () => this.#notify() });
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#listener.start();
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#wake?.();
    await Promise.all([this.#loop, this.#listener.stop()]);
  }

  /**
   * One transaction: claim → publish → mark → COMMIT. Returns how many rows it published. The
   * row locks keep other relays off these aggregates until the COMMIT.
   */
  async relayOnce(): Promise<number> {
    const { pool, metrics, batchSize } = this.#options;
    this.#news = false;
    const client = await connect(pool);
    try {
      // If a database crash loses this transaction's mark, the rows are just published again (which
      // at-least-once allows), so its COMMIT need not wait for the WAL flush.
      await client.query('BEGIN; SET LOCAL synchronous_commit TO off');
      const { rows } = await client.query<OutboxRow>({
        name: 'relay_claim_heads', // prepared once per connection (see db.ts)
        text: CLAIM_HEADS,
        values: [batchSize],
      });
      if (rows.length > 0) {
        const copies = await publishClaimed(rows, this.#options);
        await client.query({
          name: 'relay_mark_published',
          text: MARK_PUBLISHED,
          values: [rows.map((row) => row.id), copies],
        });
        metrics?.countPublished(rows, copies);
      }
      await client.query('COMMIT');
      client.release();
      return rows.length;
    } catch (error) {
      await rollbackAndRelease(client);
      throw error;
    }
  }

  async #run(): Promise<void> {
    const { log, batchSize } = this.#options;
    while (this.#running) {
      const published = await retry(() => this.relayOnce(), {
        ...UNTIL_IT_WORKS,
        stopped: () => !this.#running,
        onRetry: ({ error, delayMs }) => log.warn({ err: error, delayMs }, 'relay: round failed, will retry'),
      }).catch(() => 0);
      // A full batch means more is waiting; otherwise wait for news or the poll.
      if (published < batchSize && !this.#news) await this.#idle();
    }
  }

  #idle(): Promise<void> {
    if (!this.#running) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.#options.pollIntervalMs);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.#wake = undefined;
        resolve();
      }
      this.#wake = done;
    });
  }

  #notify(): void {
    this.#news = true;
    this.#wake?.();
  }
}
