/**
 * How far the projection is behind its topics, in events and in (lab) seconds.
 *
 * Events: per partition, the topic's high watermark minus the next offset to apply, where the next
 * offset is the later of the group's committed offset and one past the last offset the projection
 * applied (projection_offsets, written in each applying transaction; the group's commits trail by
 * up to half a second, the table does not).
 *
 * Seconds: 0 when caught up; when behind, the time since the projection last applied an event or
 * since it was first seen behind, whichever is later: about the age of the oldest unapplied event
 * (a sampler looks every second), without reading that event. Measured on the lab clock, so at
 * `--clock-speed 720` one real second behind reads as 720.
 */
import type { Admin } from 'kafkajs';
import type { LabClock } from '../../common/clock.ts';
import { LabError } from '../../common/errors.ts';
import type { Bus } from '../kit/bus.ts';
import type { Pool } from '../kit/db.ts';

const PROJECTED_TOPICS = ['catalog', 'inventory'] as const;

export interface LagSample {
  events: number;
  seconds: number;
  /** Per `topic/partition`: events behind. */
  partitions: Record<string, number>;
  measuredAt: string;
}

export class LagMeter {
  readonly #bus: Bus;
  readonly #pool: Pool;
  readonly #clock: LabClock;
  readonly #group: () => string | undefined;
  /** One connection for every caller: the sampler, /metrics and /admin/projection measure at once. */
  #admin: Promise<Admin> | undefined;
  #behindSince: number | undefined;
  #last: LagSample | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: { bus: Bus; pool: Pool; clock: LabClock; group: () => string | undefined }) {
    this.#bus = options.bus;
    this.#pool = options.pool;
    this.#clock = options.clock;
    this.#group = options.group;
  }

  /** The latest sample (undefined before the first one succeeded). */
  get last(): LagSample | undefined {
    return this.#last;
  }

  /** Samples every `intervalMs`, so "first seen behind" is known to that precision. */
  start(intervalMs = 1000): void {
    this.#timer = setInterval(() => void this.measure().catch(() => {}), intervalMs);
    this.#timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    const admin = this.#admin;
    this.#admin = undefined;
    await admin?.then((connected) => connected.disconnect()).catch(() => {});
  }

  /** Fails until the projection has chosen its group (the offsets it reads would be the old store's). */
  async measure(): Promise<LagSample> {
    const group = this.#group();
    if (!group) throw new LabError('E_NO_GROUP', 'the projection has not chosen its consumer group yet');
    const connection = this.#connected();
    const fromBroker = connection
      .then((admin) =>
        Promise.all([
          Promise.all(
            PROJECTED_TOPICS.map(async (topic) => ({
              topic,
              partitions: await admin.fetchTopicOffsets(topic),
            })),
          ),
          admin.fetchOffsets({ groupId: group, topics: [...PROJECTED_TOPICS] }),
        ]),
      )
      .catch((error: unknown) => {
        // The next measure connects anew; a database error leaves the broker connection be.
        this.#drop(connection);
        throw error;
      });
    const [[highs, committed], applied] = await Promise.all([
      fromBroker,
      this.#pool.query<{ topic: string; partition: number; offset: string; applied_at: Date }>(
        'SELECT topic, partition, "offset", applied_at FROM projection_offsets',
      ),
    ]);
    const next = new Map<string, number>();
    for (const { topic, partitions } of committed)
      for (const { partition, offset } of partitions)
        next.set(`${topic}/${partition}`, Math.max(0, Number(offset)));
    let lastAppliedMs = 0;
    for (const row of applied.rows) {
      const key = `${row.topic}/${row.partition}`;
      next.set(key, Math.max(next.get(key) ?? 0, Number(row.offset) + 1));
      lastAppliedMs = Math.max(lastAppliedMs, row.applied_at.getTime());
    }
    const partitions: Record<string, number> = {};
    let events = 0;
    for (const { topic, partitions: offsets } of highs)
      for (const { partition, high } of offsets) {
        const key = `${topic}/${partition}`;
        const behind = Math.max(0, Number(high) - (next.get(key) ?? 0));
        partitions[key] = behind;
        events += behind;
      }
    const now = Date.now();
    if (events === 0) this.#behindSince = undefined;
    else this.#behindSince ??= now;
    const since = Math.max(lastAppliedMs, this.#behindSince ?? now);
    const seconds = events === 0 ? 0 : ((now - since) * this.#clock.speed) / 1000;
    this.#last = { events, seconds, partitions, measuredAt: this.#clock.now().toISOString() };
    return this.#last;
  }

  #connected(): Promise<Admin> {
    if (!this.#admin) {
      const admin = this.#bus.kafka.admin();
      this.#admin = admin.connect().then(() => admin);
    }
    return this.#admin;
  }

  #drop(connection: Promise<Admin>): void {
    if (this.#admin === connection) this.#admin = undefined;
    void connection.then((admin) => admin.disconnect()).catch(() => {});
  }
}
