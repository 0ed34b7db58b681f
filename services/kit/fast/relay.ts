/**
 * The fast kit's relay: the reference relay's claim (per-aggregate heads, FOR UPDATE SKIP LOCKED;
 * kit/relay.ts explains it), publish and mark, plus claims sent with a writer's COMMIT, several
 * sessions while claims are small, and each mark travelling with the next claim. README.md beside
 * this file has the measurements.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { rollbackAndRelease } from '../db.ts';
import type { Metrics } from '../metrics.ts';
import {
  CLAIM_HEADS,
  MARK_PUBLISHED,
  OutboxListener,
  type OutboxRow,
  publishClaimed,
  type RelayOptions,
} from '../relay.ts';
import { retryDelay, UNTIL_IT_WORKS } from '../retry.ts';
import { allOrFirstCause, type HandOver, type Pool, type PoolClient } from './pool.ts';

/**
 * A claim's transaction need not wait for its WAL flush at COMMIT: if a database crash loses the
 * mark, the rows are just published again, which at-least-once delivery allows and the inboxes absorb.
 */
const BEGIN_CLAIM = 'BEGIN; SET LOCAL synchronous_commit TO off';

export interface FastRelayOptions extends Omit<RelayOptions, 'pool'> {
  pool: Pool;
  /**
   * How long a relay woken from idle waits for more commits before claiming (Kafka's linger.ms);
   * 0 by default (README.md: a linger only adds its length to every saga step).
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
}

interface Claimed {
  rows: OutboxRow[];
  /** The news count when the claim was sent: news up to it is answered by this claim. */
  seen: number;
}

export class FastRelay {
  readonly #options: Required<Omit<FastRelayOptions, 'metrics'>> & { metrics: Metrics | undefined };
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
  readonly #listener: OutboxListener;

  constructor(options: FastRelayOptions) {
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
    this.#listener = new OutboxListener({ listenUrl: options.listenUrl, onNews: () => this.#notify() });
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#stopping = false;
    this.#listener.start();
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#running = false;
    this.#stopping = true;
    this.#wake?.();
    await this.#loop;
    await Promise.all(this.#sessions);
    await this.#listener.stop();
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
        await sleep(retryDelay(UNTIL_IT_WORKS, failures));
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
    const claimed = client.query<OutboxRow>(CLAIM_HEADS, [Math.trunc(this.#options.batchSize)]);
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
    const { metrics, batchSize } = this.#options;
    let published = 0;
    try {
      let { rows, seen } = await firstClaim;
      while (rows.length > 0) {
        const copies = await publishClaimed(rows, this.#options);
        published += rows.length;
        metrics?.countPublished(rows, copies);
        const marked = client.query(MARK_PUBLISHED, [rows.map((row) => row.id), copies]);
        // A failed mark turns this COMMIT into a rollback: `marked` itself says so.
        const committed = client.query('COMMIT');
        const more = !this.#stopping && (rows.length >= batchSize || this.#news > seen);
        const next = more ? this.#claim(client) : undefined;
        await allOrFirstCause([marked, committed, ...(next ? [next] : [])]);
        if (!next && (this.#stopping || this.#news === seen)) {
          client.release();
          return published;
        }
        ({ rows, seen } = await (next ?? this.#claim(client)));
      }
      await client.query('COMMIT');
      client.release();
      return published;
    } catch (error) {
      // Outside a transaction (a mark that failed with its COMMIT) the ROLLBACK only warns.
      await rollbackAndRelease(client);
      throw error;
    }
  }
}
