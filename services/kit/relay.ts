import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import type { Pool, PoolClient } from './db.ts';
import type { OutgoingEvent } from './events.ts';
import type { FaultHooks } from './faults.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';

interface OutboxRow {
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
 * Claiming work without breaking per-aggregate order when several relays run.
 *
 * FOR UPDATE SKIP LOCKED alone is not enough: relay A could lock event 1 of an order while relay B
 * skips it and publishes event 2 first. So a relay claims whole aggregates, and the claim is the
 * lock on the aggregate's *head*, its oldest unpublished row. Relays only ever select heads (rows
 * with no older unpublished row of the same aggregate), so while A holds X's head, B sees X's head
 * locked and skips the aggregate entirely; X's later rows are not heads in B's snapshot. Once A has
 * claimed a head it locks the aggregate's following rows too and publishes them all in `seq` order.
 * When A commits, B's next statement sees those rows published and X's next head (if any) free.
 *
 * This relies on an aggregate's rows committing in `seq` order, which holds in the shop: each of an
 * order's events is caused by the previous one, and concurrent writers of one order serialise on
 * the order's row lock before inserting.
 */
// One statement: the heads are claimed (MATERIALIZED keeps their locks taken first, never folded
// into the outer query), then every unpublished row of those aggregates is locked with plain FOR
// UPDATE: inside aggregates we own, skipping a row would publish out of order.
// The head test is a scalar subquery, not NOT EXISTS: the backlog is usually empty when statistics
// are taken, and the planner then turned NOT EXISTS into a join that compared every backlog row
// with every other (1.6 ms for a backlog of 60); a subquery per candidate stays one short index scan.
const CLAIM_BATCH = `
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

const MARK_PUBLISHED = `
  UPDATE outbox SET published_at = clock_timestamp(), copies_published = copies_published + batch.copies
  FROM unnest($1::uuid[], $2::int[]) AS batch(id, copies)
  WHERE outbox.id = batch.id`;

/**
 * The claim and the mark, prepared once per connection with SQL PREPARE so that they travel in
 * one simple query with their neighbours: `BEGIN; ...; EXECUTE claim`, and `EXECUTE mark; COMMIT`
 * with the next round's claim when there is one (the relays' BEGINs and COMMITs were a sixth of
 * the shop's statements under load).
 */
const PREPARE = `PREPARE lab_relay_claim(int) AS ${CLAIM_BATCH}; PREPARE lab_relay_mark(uuid[], int[]) AS ${MARK_PUBLISHED}`;
const preparedOn = new WeakSet<PoolClient>();

/** The result of the last statement of a simple query that may hold several. */
function lastResult<Row extends pg.QueryResultRow>(
  result: pg.QueryResult<Row> | Array<pg.QueryResult<Row>>,
): pg.QueryResult<Row> {
  return Array.isArray(result) ? result.at(-1)! : result;
}

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
  /** Poll even without a notification (a NOTIFY can be lost with its connection). */
  pollIntervalMs?: number;
  /**
   * How long a relay woken from idle waits for more commits before claiming (Kafka's linger.ms).
   * 0 by default: under load the relay is not idle (its rounds follow one another while commits
   * keep coming, each carrying what committed during the one before), and at low load there is
   * nothing to gather, so a linger only added its own length to every saga step (5 ms: about 11 ms
   * of a saga's p50 at 50 orders/s).
   */
  lingerMs?: number;
  /** What relay_crash does; the default is an abrupt SIGKILL of this process. */
  crash?: () => void;
}

function toEvent(row: OutboxRow): OutgoingEvent {
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

export class Relay {
  readonly #options: Required<Omit<RelayOptions, 'metrics'>> & { metrics: Metrics | undefined };
  #running = false;
  /** Set by stop(): a session in progress ends after its round. */
  #stopping = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  /** Set by every NOTIFY; a notification that arrives while a round runs must not be lost. */
  #notified = false;
  #listener: pg.Client | undefined;

  constructor(options: RelayOptions) {
    this.#options = {
      batchSize: 200,
      pollIntervalMs: 1000,
      lingerMs: 0,
      crash: () => process.kill(process.pid, 'SIGKILL'),
      ...options,
      metrics: options.metrics,
    };
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#stopping = false;
    void this.#listen();
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#stopping = true;
    this.#wake?.();
    await this.#loop;
    await this.#listener?.end().catch(() => {});
    this.#listener = undefined;
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
      client.on('notification', () => this.#notify());
      try {
        await client.connect();
        await client.query('LISTEN outbox');
        this.#listener = client;
        this.#notify(); // anything committed while we were not listening
        await lost;
      } catch {
        // The poll fallback keeps publishing meanwhile.
      }
      await client.end().catch(() => {});
      if (this.#running) await sleep(1000);
    }
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (this.#running) {
      try {
        await this.drainOnce();
        failures = 0;
      } catch (error) {
        failures += 1;
        this.#options.log.warn({ err: error }, 'relay: batch failed, will retry');
        await sleep(Math.min(5000, 100 * 2 ** Math.min(failures, 6)));
        continue;
      }
      // drainOnce went on while there was news. Whatever committed after its last claim has
      // announced itself (NOTIFY) or comes with the poll: claiming again without either finds nothing.
      const waited = await this.#idle();
      // Woken from idle: let the next commits gather, so one round carries many transactions'
      // events. A notification that came meanwhile has waited already: no linger then.
      if (waited && this.#running && this.#options.lingerMs > 0) await sleep(this.#options.lingerMs);
    }
  }

  #notify(): void {
    this.#notified = true;
    this.#wake?.();
  }

  /** Waits for a notification, a stop or the poll interval; answers whether it had to wait at all. */
  #idle(): Promise<boolean> {
    // Rows committed after the last round's snapshot: go again at once instead of sleeping. And a
    // stop() that came during the round (its wake-up found nobody waiting) must not wait a poll.
    if (this.#notified || !this.#running) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.#options.pollIntervalMs);
      function done() {
        clearTimeout(timer);
        resolve(true);
      }
      this.#wake = () => {
        this.#wake = undefined;
        done();
      };
    });
  }

  /**
   * Claim → publish → mark rounds on one connection, for as long as there is news: a full batch, or
   * a notification during the round. Each round's mark and COMMIT travel with the next round's
   * claim, one round trip between two publishes instead of two. Returns how many rows it published.
   * At-least-once: if the process dies after a publish and before its COMMIT, the locks vanish, the
   * rows stay unpublished and are published again (consumers deduplicate with the inbox).
   */
  async drainOnce(): Promise<number> {
    const { pool, batchSize, publish, faults, metrics, log } = this.#options;
    const client: PoolClient = await pool.connect();
    let broken = false;
    let published = 0;
    try {
      if (!preparedOn.has(client)) {
        await client.query(PREPARE);
        preparedOn.add(client);
      }
      // The previous round's mark and COMMIT, sent with the next claim or on its own at the end.
      let mark = '';
      for (;;) {
        this.#notified = false;
        // The mark need not wait for its WAL flush: if a database crash loses it, the rows are just
        // published again, which at-least-once delivery allows and the inboxes absorb.
        const rows = lastResult<OutboxRow>(
          await client.query(
            `${mark}BEGIN; SET LOCAL synchronous_commit TO off; EXECUTE lab_relay_claim(${Math.trunc(batchSize)})`,
          ),
        ).rows;
        if (rows.length === 0) {
          await client.query('COMMIT');
          return published;
        }
        const events: OutgoingEvent[] = [];
        const copies: number[] = [];
        for (const row of rows) {
          const event = toEvent(row);
          const extra = faults.extraCopies();
          copies.push(extra);
          for (let copy = 0; copy <= extra; copy++) events.push(event);
        }
        await publish(events);
        const acknowledged = Date.now();
        if (faults.takeRelayCrash()) {
          log.warn({ rows: rows.length }, 'relay_crash fault: dying after publish, before marking');
          this.#options.crash();
          throw new Error('relay_crash: crashed before marking');
        }
        // Literals are safe here: the ids are uuids PostgreSQL itself printed, the copies integers.
        mark = `EXECUTE lab_relay_mark('{${rows.map((row) => row.id).join(',')}}', '{${copies.join(',')}}'); COMMIT; `;
        published += rows.length;
        if (metrics) {
          metrics.relayPublished.inc(rows.length);
          metrics.relayBatchEvents.observe(rows.length);
          const extraTotal = copies.reduce((sum, extra) => sum + extra, 0);
          if (extraTotal > 0) metrics.relayDuplicateCopies.inc(extraTotal);
          for (const row of rows)
            metrics.publishLag.observe((acknowledged - row.created_at.getTime()) / 1000);
        }
        if (this.#stopping || (rows.length < batchSize && !this.#notified)) {
          await client.query(mark);
          return published;
        }
      }
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }
}
