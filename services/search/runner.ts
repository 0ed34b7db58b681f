/**
 * Runs the projection's consumer: which group it reads as, pausing it, rebuilding from offset 0.
 *
 * The group is named after the store's incarnation (`search-<8 hex>`, kept in projection_state).
 * A store with no projected rows at start (a fresh database, or one a learner truncated) gets a
 * new incarnation, hence a group with no committed offsets, and the kit's consumer starts such a
 * group from the beginning of every topic: the rebuild is a replay from offset 0. A new group,
 * rather than rewinding the old one, needs no help from the broker (resetting a group's offsets
 * is refused while a member of it is still in its session, as after a kill) and cannot mix the
 * old store's committed offsets with the new store's rows.
 *
 * Pausing stops the consumer (it leaves the group, having committed what it applied) and keeps
 * HTTP and /metrics up, so the lag can be watched growing; resuming starts a new consumer of the
 * same group, which goes on from the committed offsets.
 */
import { randomBytes } from 'node:crypto';
import type { Bus } from '../kit/bus.ts';
import { EventConsumer } from '../kit/consumer.ts';
import { BatchConsumer } from '../kit/fast/consumer.ts';
import { FastEventWriter } from '../kit/fast/outbox.ts';
import { retry, UNTIL_IT_WORKS } from '../kit/retry.ts';
import type { ServiceContext } from '../kit/service.ts';
import { projectionHandlers } from './projection.ts';

interface GroupConsumer {
  start(): Promise<void>;
  stop(): Promise<void>;
  recover(reason: unknown): Promise<void>;
}

export interface ProjectionStatus {
  group: string | undefined;
  paused: boolean;
  running: boolean;
  /** Real time (epoch ms) the current incarnation started replaying. */
  rebuiltAt: number | undefined;
}

export class ProjectionRunner {
  readonly #context: ServiceContext;
  readonly #bus: Bus;
  #group: string | undefined;
  #consumer: GroupConsumer | undefined;
  #paused = false;
  #stopping = false;
  #rebuiltAt: number | undefined;
  /** Serialises start, pause, resume and rebuild. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(options: { context: ServiceContext; bus: Bus }) {
    this.#context = options.context;
    this.#bus = options.bus;
  }

  get group(): string | undefined {
    return this.#group;
  }

  status(): ProjectionStatus {
    return {
      group: this.#group,
      paused: this.#paused,
      running: this.#consumer !== undefined,
      rebuiltAt: this.#rebuiltAt,
    };
  }

  /** Chooses the group (a new incarnation if the store is empty), then consumes unless paused. */
  start(): Promise<void> {
    return this.#serial(async () => {
      this.#group = await this.#incarnation();
      await this.#startConsumer();
    });
  }

  setPaused(paused: boolean): Promise<void> {
    return this.#serial(async () => {
      this.#paused = paused;
      if (paused) await this.#stopConsumer();
      else if (this.#group) await this.#startConsumer();
    });
  }

  /** Empties the store and replays every topic from offset 0 under a new group. */
  rebuild(): Promise<string> {
    return this.#serial(async () => {
      await this.#stopConsumer();
      const { pool } = this.#context;
      await pool.query('TRUNCATE products, units, unit_holds, projection_offsets, projection_state');
      await pool.query('DELETE FROM inbox');
      this.#group = await this.#incarnation();
      await this.#startConsumer();
      return this.#group;
    });
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    await this.#serial(() => this.#stopConsumer());
  }

  /** For the service's unhandled-rejection guard: kafkajs gave up on the running consumer. */
  recover(reason: unknown): void {
    void this.#consumer?.recover(reason);
  }

  #serial<T>(step: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(step);
    this.#queue = next.catch(() => {});
    return next;
  }

  async #incarnation(): Promise<string> {
    const { pool, log } = this.#context;
    const { rows } = await pool.query<{ consumer_group: string; projected: boolean }>(
      `SELECT s.consumer_group,
              EXISTS (SELECT 1 FROM products) OR EXISTS (SELECT 1 FROM units) AS projected
         FROM projection_state s`,
    );
    const current = rows[0];
    if (current?.projected) return current.consumer_group;
    const group = `search-${randomBytes(4).toString('hex')}`;
    await pool.query(
      `INSERT INTO projection_state (id, consumer_group) VALUES (1, $1)
       ON CONFLICT (id) DO UPDATE SET consumer_group = $1, created_at = now()`,
      [group],
    );
    // The previous incarnation's offsets and inbox rows describe a store that is gone.
    await pool.query('TRUNCATE projection_offsets');
    await pool.query('DELETE FROM inbox WHERE consumer <> $1', [group]);
    this.#rebuiltAt = Date.now();
    log.info(
      { group, previous: current?.consumer_group },
      'projection store is empty: replaying the topics from offset 0',
    );
    return group;
  }

  async #startConsumer(): Promise<void> {
    if (this.#paused || this.#stopping || this.#consumer || !this.#group) return;
    const group = this.#group;
    this.#consumer = await retry(
      async () => {
        const consumer = this.#create(group);
        try {
          await consumer.start();
        } catch (error) {
          await consumer.stop();
          throw error;
        }
        return consumer;
      },
      {
        ...UNTIL_IT_WORKS,
        stopped: () => this.#stopping,
        onRetry: ({ error, attempt }) =>
          this.#context.log.warn({ err: error, attempt }, 'projection consumer could not start, retrying'),
      },
    );
    this.#context.log.info({ group: this.#group }, 'projection consuming');
  }

  async #stopConsumer(): Promise<void> {
    const consumer = this.#consumer;
    this.#consumer = undefined;
    if (!consumer) return;
    await consumer.stop();
    this.#context.log.info({ group: this.#group }, 'projection consumer stopped');
  }

  /** The kit's consumer of the service's kit, as startService would build it, for this group. */
  #create(group: string): GroupConsumer {
    const { config, pool, writer, metrics, log } = this.#context;
    const common = {
      group,
      bus: this.#bus,
      pool,
      handlers: projectionHandlers(),
      dedup: !config.without.has('inbox'),
      maxAttempts: config.consumerMaxAttempts,
      metrics,
      log,
    };
    // With --kit fast the context's writer is the fast kit's (services/kit/fast/kit.ts).
    return writer instanceof FastEventWriter
      ? new BatchConsumer({ ...common, writer })
      : new EventConsumer({ ...common, writer });
  }
}
