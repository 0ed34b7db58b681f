import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { countedMessage, freshTopic, silentLog, withKitDatabase } from '../../test/kit-support.ts';
import { query, waitFor } from '../../test/services-support.ts';
import type { Bus } from './bus.ts';
import { EventConsumer, type EventHandler, type HandlerMap } from './consumer.ts';
import type { Pool } from './db.ts';
import type { Topic } from './events.ts';
import { Metrics } from './metrics.ts';
import { OutboxWriter } from './outbox.ts';
import { DatabaseUnavailableError } from './retry.ts';

/** The reference consumer against the real broker and PostgreSQL. */
const log = silentLog;
let url: string;
let pool: Pool;
let bus: Bus;

withKitDatabase(
  {
    broker: 'reference-consumer-test',
    tables: [
      'CREATE TABLE effects (event_id uuid, aggregate text, n int, at timestamptz DEFAULT clock_timestamp())',
    ],
  },
  (env) => ({ url, pool, bus } = env),
);

const record: EventHandler = async (tx, event) => {
  const { n } = event.payload as { n: number };
  await tx.client.query('INSERT INTO effects (event_id, aggregate, n) VALUES ($1, $2, $3)', [
    event.id,
    event.key,
    n,
  ]);
};

function consumer(topic: Topic, handler: EventHandler, options: { group?: string; metrics?: Metrics } = {}) {
  return new EventConsumer({
    group: options.group ?? `g-${randomUUID()}`,
    bus,
    pool,
    writer: new OutboxWriter({ pool, producer: 'test', useOutbox: true, log }),
    handlers: { [topic]: { Counted: handler } } as HandlerMap,
    dedup: true,
    maxAttempts: 3,
    metrics: options.metrics,
    log,
  });
}

async function committedOffsets(group: string, topic: string): Promise<number[]> {
  const admin = bus.kafka.admin();
  await admin.connect();
  try {
    const [entry] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return entry!.partitions.sort((a, b) => a.partition - b.partition).map((p) => Number(p.offset));
  } finally {
    await admin.disconnect();
  }
}

function perAggregate(rows: Array<{ aggregate: string; n: number }>): Record<string, number[]> {
  const result: Record<string, number[]> = {};
  for (const row of rows) result[row.aggregate] = [...(result[row.aggregate] ?? []), row.n];
  return result;
}

describe('reference consumer', () => {
  it('every event once and in order per aggregate; copies skipped by the inbox and counted', async () => {
    const topic = await freshTopic(bus, { deadLetters: true });
    const events = Array.from({ length: 30 }, (_, n) => ({ id: randomUUID(), aggregate: `agg-${n % 4}`, n }));
    // Every fifth event is delivered twice, back to back (the relay's duplicate fault).
    await bus.sendRaw(
      topic,
      events.flatMap((event) =>
        event.n % 5 === 0 ? [countedMessage(event), countedMessage(event)] : [countedMessage(event)],
      ),
    );
    const metrics = new Metrics('consumer-test');
    const running = consumer(topic, record, { metrics });
    await running.start();
    try {
      await waitFor('every effect', async () => (await query(url, 'SELECT 1 FROM effects')).length >= 30);
      await waitFor('the copies counted', async () =>
        (await metrics.text()).includes(`lab_inbox_duplicates_skipped_total{consumer="g-`),
      );
    } finally {
      await running.stop();
    }
    const effects = await query<{ aggregate: string; n: number }>(
      url,
      'SELECT aggregate, n FROM effects ORDER BY at',
    );
    expect(effects).toHaveLength(30);
    expect(perAggregate(effects)).toEqual(perAggregate(events));
    const text = await metrics.text();
    expect(text).toMatch(
      new RegExp(`lab_inbox_duplicates_skipped_total\\{consumer="g-[^"]+",topic="${topic}"[^}]*\\} 6`),
    );
  }, 60_000);

  it('a failing handler is tried maxAttempts times, then dead-lettered; poison too; the partition moves on', async () => {
    const topic = await freshTopic(bus, { deadLetters: true });
    const doomed = { id: randomUUID(), aggregate: 'same', n: 1 };
    const after = { id: randomUUID(), aggregate: 'same', n: 2 };
    await bus.sendRaw(topic, [
      { key: 'same', value: Buffer.from([0, 1, 2]) },
      countedMessage(doomed),
      countedMessage(after),
    ]);
    let attempts = 0;
    const running = consumer(topic, async (tx, event, handlerLog) => {
      if (event.id === doomed.id) {
        attempts += 1;
        throw new Error('this event always fails');
      }
      await record(tx, event, handlerLog);
    });
    await running.start();
    try {
      await waitFor(
        'the event after them',
        async () => (await query(url, 'SELECT 1 FROM effects')).length === 1,
        {
          timeoutMs: 30_000,
        },
      );
    } finally {
      await running.stop();
    }
    expect(attempts).toBe(3);
    const letters = await query<{ event_id: string | null; error: string; attempts: number }>(
      url,
      'SELECT event_id, error, attempts FROM dead_letters ORDER BY id',
    );
    expect(letters.map((letter) => letter.event_id)).toEqual([null, doomed.id]);
    expect(letters[0]!.error).toContain('PoisonMessageError');
    expect(letters[1]).toMatchObject({ error: 'Error: this event always fails', attempts: 3 });
    expect(await query(url, 'SELECT event_id FROM effects')).toEqual([{ event_id: after.id }]);
    // Nothing of the failed attempts stayed behind.
    expect(await query(url, 'SELECT event_id FROM inbox')).toEqual([{ event_id: after.id }]);
  }, 60_000);

  it('a database that is away is waited out, spending no attempt: applied, not dead-lettered', async () => {
    const topic = await freshTopic(bus, { deadLetters: true });
    const event = { id: randomUUID(), aggregate: 'a', n: 1 };
    await bus.sendRaw(topic, [countedMessage(event)]);
    let failures = 0;
    const running = consumer(topic, async (tx, delivered, handlerLog) => {
      if (failures < 5) {
        failures += 1;
        throw new DatabaseUnavailableError(new Error('connection refused'));
      }
      await record(tx, delivered, handlerLog);
    });
    await running.start();
    try {
      await waitFor('the effect', async () => (await query(url, 'SELECT 1 FROM effects')).length === 1, {
        timeoutMs: 30_000,
      });
    } finally {
      await running.stop();
    }
    expect(failures).toBe(5);
    expect(await query(url, 'SELECT 1 FROM dead_letters')).toEqual([]);
  }, 60_000);

  it('the offset is committed only after the transaction committed', async () => {
    const topic = await freshTopic(bus, { deadLetters: true });
    const group = `g-${randomUUID()}`;
    const event = { id: randomUUID(), aggregate: 'a', n: 1 };
    await bus.sendRaw(topic, [countedMessage(event)]);
    let entered!: () => void;
    const inHandler = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const running = consumer(
      topic,
      async (tx, delivered, handlerLog) => {
        await record(tx, delivered, handlerLog);
        entered();
        await released;
      },
      { group },
    );
    await running.start();
    try {
      await inHandler;
      // The effect is written but not committed: no offset yet.
      expect(Math.max(...(await committedOffsets(group, topic)))).toBeLessThan(1);
      release();
      await waitFor(
        'the committed offset',
        async () => Math.max(...(await committedOffsets(group, topic))) === 1,
      );
      expect(await query(url, 'SELECT event_id FROM effects')).toEqual([{ event_id: event.id }]);
    } finally {
      release();
      await running.stop();
    }
  }, 60_000);
});
