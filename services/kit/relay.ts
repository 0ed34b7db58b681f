import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { allOrFirstCause, type HandOver, type Pool, type PoolClient } from './db.ts';
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
 * A claim's transaction need not wait for its WAL flush at COMMIT: if a database crash loses the
 * mark, the rows are just published again, which at-least-once delivery allows and the inboxes absorb.
 */
const BEGIN_CLAIM = 'BEGIN; SET LOCAL synchronous_commit TO off';

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
  /**
   * How many sessions may run at once (each on its own connection) while the relay's claims are
   * small: the one woken by NOTIFY or the poll, and those started by writers' commits. Their claims
   * never take the same aggregate. Once claims average more rows than `busyClaimRows`, one session
   * at a time: under load one session's batches carry more per statement than several sessions'.
   */
  sessions?: number;
  busyClaimRows?: number;
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

interface Claimed {
  rows: OutboxRow[];
  /** The news count when the claim was sent: news up to it is answered by this claim. */
  seen: number;
}

export class Relay {
  readonly #options: Required<Omit<RelayOptions, 'metrics'>> & { metrics: Metrics | undefined };
  #running = false;
  /** Set by stop(): a session in progress ends after its round. */
  #stopping = false;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;
  /**
   * Counts news: notifications, and claims on commit that did not get all of their own rows. A claim
   * sent after a piece of news sees the rows it announced, or skips them because another session
   * holds their aggregate; that session's last claim was sent before the news, so it claims again
   * after releasing the aggregate.
   */
  #news = 0;
  /** The news count when the latest claim was sent; less than #news: news no claim has answered. */
  #answered = 0;
  /** The sessions running or promised to a writer's commit; each resolves when its session ends. */
  readonly #sessions = new Set<Promise<void>>();
  /** Rows per claim, a moving average: how busy the relay is. */
  #claimRows = 0;
  #listener: pg.Client | undefined;

  constructor(options: RelayOptions) {
    this.#options = {
      batchSize: 200,
      pollIntervalMs: 1000,
      lingerMs: 0,
      sessions: 3,
      busyClaimRows: 4,
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
    await Promise.all(this.#sessions);
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

  /**
   * Answers news no claim has answered, and the poll. While every slot is taken it waits for a
   * session to end: the news may be answered by a claim meanwhile, or is still this loop's to answer.
   */
  async #run(): Promise<void> {
    let failures = 0;
    while (this.#running) {
      if (this.#answered === this.#news) {
        const waited = await this.#idle();
        // Woken from idle: let the next commits gather, so one round carries many transactions'
        // events. A notification that came meanwhile has waited already: no linger then.
        if (waited && this.#running && this.#options.lingerMs > 0) await sleep(this.#options.lingerMs);
        if (!this.#running) return;
      }
      if (this.#sessions.size >= this.#sessionLimit()) {
        await Promise.race(this.#sessions);
        continue;
      }
      try {
        await this.drainOnce();
        failures = 0;
      } catch (error) {
        failures += 1;
        this.#options.log.warn({ err: error }, 'relay: batch failed, will retry');
        await sleep(Math.min(5000, 100 * 2 ** Math.min(failures, 6)));
      }
    }
  }

  #notify(): void {
    this.#news += 1;
    this.#wake?.();
  }

  /** Waits for news, a stop or the poll interval; answers whether it had to wait at all. */
  #idle(): Promise<boolean> {
    // A stop() that came during the round (its wake-up found nobody waiting) must not wait a poll.
    if (this.#answered < this.#news || !this.#running) return Promise.resolve(false);
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
   * A session for a writer about to COMMIT the outbox rows `ids` (EventWriter.claimOnCommitWith):
   * its claim is sent right after the COMMIT, on the same connection and in the same round trip,
   * and sees the rows that COMMIT made visible. Undefined when every slot is taken (the commit then
   * notifies as usual). The slot is held from now on, so writers committing at once cannot start
   * more sessions than allowed. Such a commit notifies nobody: if its claim misses some of its rows
   * (another session holds their aggregate), the claim says so as news, heard by this relay only;
   * relays of other processes would find those rows at their next poll.
   */
  claimOnCommit(ids: readonly string[]): HandOver | undefined {
    if (!this.#running || this.#stopping || this.#sessions.size >= this.#sessionLimit()) return undefined;
    let ended!: () => void;
    this.#hold(
      new Promise<void>((resolve) => {
        ended = resolve;
      }),
    );
    let claimed: Promise<Claimed> | undefined;
    return {
      send: (client) => {
        claimed = this.#claim(client).then((claim) => {
          const got = new Set(claim.rows.map((row) => row.id));
          if (!ids.every((id) => got.has(id))) this.#notify();
          return claim;
        });
        claimed.catch(() => {}); // dropped, or awaited by the session
      },
      adopt: (client) => {
        this.#session(client, claimed!)
          .catch((error) => {
            this.#options.log.warn({ err: error }, 'relay: batch failed, will retry');
            // The commit notified nobody: the loop takes its rows over.
            this.#notify();
          })
          .finally(ended);
      },
      drop: () => {
        // A COMMIT that failed on a lost connection may still have committed, without a notification.
        this.#notify();
        ended();
      },
    };
  }

  #sessionLimit(): number {
    return this.#claimRows > this.#options.busyClaimRows ? 1 : this.#options.sessions;
  }

  #hold(session: Promise<unknown>): void {
    const ended = session.then(
      () => {},
      () => {},
    );
    this.#sessions.add(ended);
    void ended.then(() => this.#sessions.delete(ended));
  }

  /** One session from a fresh claim (see #session). Returns how many rows it published. */
  async drainOnce(): Promise<number> {
    const client: PoolClient = await this.#options.pool.connect();
    const session = this.#session(client, this.#claim(client));
    this.#hold(session);
    return session;
  }

  /** Sends BEGIN and the claim at once (pipelined behind whatever `client` was sent before). */
  #claim(client: PoolClient): Promise<Claimed> {
    const seen = this.#news;
    this.#answered = seen;
    const begun = client.query(BEGIN_CLAIM);
    const claimed = client.query<OutboxRow>(CLAIM_BATCH, [Math.trunc(this.#options.batchSize)]);
    return allOrFirstCause([begun, claimed]).then(async () => {
      const { rows } = await claimed;
      this.#claimRows = 0.9 * this.#claimRows + 0.1 * rows.length;
      return { rows, seen };
    });
  }

  /**
   * Claim → publish → mark rounds on one connection while there is work: a full batch, or news since
   * the round's claim was sent. With news already there, the mark and COMMIT travel with the next
   * claim (one round trip between two publishes); news that comes during the mark is answered by a
   * claim after it. Either way the session claims again after releasing its aggregates whenever news
   * came after its claim, so rows another session skipped for them are never stranded.
   * At-least-once: if the process dies after a publish and before its COMMIT, the locks vanish, the
   * rows stay unpublished and are published again (consumers deduplicate with the inbox).
   */
  async #session(client: PoolClient, firstClaim: Promise<Claimed>): Promise<number> {
    const { publish, faults, metrics, log, batchSize } = this.#options;
    let broken = false;
    let published = 0;
    try {
      let { rows, seen } = await firstClaim;
      while (rows.length > 0) {
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
        published += rows.length;
        if (metrics) {
          metrics.relayPublished.inc(rows.length);
          metrics.relayBatchEvents.observe(rows.length);
          const extraTotal = copies.reduce((sum, extra) => sum + extra, 0);
          if (extraTotal > 0) metrics.relayDuplicateCopies.inc(extraTotal);
          for (const row of rows)
            metrics.publishLag.observe((acknowledged - row.created_at.getTime()) / 1000);
        }
        const marked = client.query(MARK_PUBLISHED, [rows.map((row) => row.id), copies]);
        // A failed mark turns this COMMIT into a rollback: `marked` itself says so.
        const committed = client.query('COMMIT');
        const more = !this.#stopping && (rows.length >= batchSize || this.#news > seen);
        const next = more ? this.#claim(client) : undefined;
        await allOrFirstCause([marked, committed, ...(next ? [next] : [])]);
        if (!next && (this.#stopping || this.#news === seen)) return published;
        ({ rows, seen } = await (next ?? this.#claim(client)));
      }
      await client.query('COMMIT');
      return published;
    } catch (error) {
      // Outside a transaction (a mark that failed with its COMMIT) this only warns.
      await client.query('ROLLBACK').catch(() => {
        broken = true;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }
}
