import { randomUUID } from 'node:crypto';
import type { Message } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import {
  type Counted,
  countedMessage,
  freshTopic,
  silentLog,
  withKitDatabase,
} from '../../../test/kit-support.ts';
import { countRoundTrips, query, waitFor } from '../../../test/services-support.ts';
import type { Bus } from '../bus.ts';
import type { EventHandler } from '../consumer.ts';
import type { IncomingEvent, Topic } from '../events.ts';
import type { Tx } from '../outbox.ts';
import { BatchConsumer, type FastHandlerMap, type ReceivedJournal } from './consumer.ts';
import { FastEventWriter } from './outbox.ts';
import { createPipelinedPool, type Pool } from './pool.ts';

/**
 * The consumer runner against the real broker and PostgreSQL: a backlog is taken in batches (one
 * transaction per run of events), and a batch survives copies, poison and a failing handler
 * without losing, reordering or doubling an effect.
 */
const log = silentLog;
let url: string;
let pool: Pool;
let bus: Bus;

withKitDatabase(
  {
    pool: (url) => createPipelinedPool(url, { max: 10 }),
    broker: 'consumer-test',
    tables: [
      'CREATE TABLE effects (event_id uuid, aggregate text, n int, part int, tx bigint, at timestamptz DEFAULT clock_timestamp())',
      'CREATE TABLE journal (event_id uuid, tx bigint, effects_before int)',
      'CREATE TABLE steps (event_id uuid, aggregate text, n int, step int, tx bigint, seq bigserial)',
    ],
  },
  (env) => ({ url, pool, bus } = env),
);

/** Sends events (and raw poison) before any consumer runs, so they arrive as a backlog. */
async function sendBacklog(
  topic: Topic,
  items: Array<Counted | 'poison'>,
  copiesOf: (item: Counted) => number = () => 1,
) {
  const messages = items.flatMap((item): Message[] => {
    if (item === 'poison') return [{ key: 'poison', value: Buffer.from([0, 1, 2]) }];
    const message = countedMessage(item);
    return Array.from({ length: copiesOf(item) }, () => message);
  });
  await bus.sendRaw(topic, messages);
}

function runner(options: {
  handlers: FastHandlerMap;
  dedup?: boolean;
  group?: string;
  journal?: ReceivedJournal;
  /** The writer's pool (its transactions), when not the shared one. */
  writerPool?: Pool;
}): BatchConsumer {
  return new BatchConsumer({
    journal: options.journal,
    group: options.group ?? `g-${randomUUID()}`,
    bus,
    pool,
    writer: new FastEventWriter({
      pool: options.writerPool ?? pool,
      producer: 'consumer-test',
      useOutbox: true,
      log,
    }),
    handlers: options.handlers,
    dedup: options.dedup ?? true,
    maxAttempts: 2,
    log,
  });
}

/** Each test reads its own topic: a new group reads a topic from the beginning. */
const recordEffect: EventHandler = async (tx, event) => {
  const { n } = event.payload as { n: number };
  await tx.client.query(
    'INSERT INTO effects (event_id, aggregate, n, part, tx) VALUES ($1, $2, $3, $4, txid_current())',
    [event.id, event.key, n, event.partition],
  );
  await tx.emit({
    topic: 'payments',
    type: 'Echoed',
    aggregateType: 'order',
    aggregateId: event.key ?? '',
    payload: { n },
  });
};

/** Each aggregate's numbers in the order they were applied (written, for the outbox). */
function perAggregate(rows: Array<{ aggregate: string; n: number }>): Record<string, number[]> {
  const result: Record<string, number[]> = {};
  for (const row of rows) result[row.aggregate] = [...(result[row.aggregate] ?? []), row.n];
  return result;
}

function backlog(count: number): Counted[] {
  return Array.from({ length: count }, (_, n) => ({ id: randomUUID(), aggregate: `agg-${n % 7}`, n }));
}

describe('consumer runner: batches', () => {
  it('takes a backlog of three partitions in few transactions, every effect once and in order per aggregate, copies skipped', async () => {
    const events = backlog(150);
    // Every fifth event arrives three times back to back, as the relay's duplicate fault sends them.
    await sendBacklog('orders', events, (item) => (item.n % 5 === 0 ? 3 : 1));
    const consumer = runner({ handlers: { orders: { Counted: recordEffect } } });
    await consumer.start();
    try {
      await waitFor('every effect', async () => (await query(url, 'SELECT 1 FROM effects')).length >= 150, {
        timeoutMs: 60_000,
      });
      const effects = await query<{ aggregate: string; n: number; part: number; tx: string }>(
        url,
        'SELECT aggregate, n, part, tx FROM effects ORDER BY at',
      );
      expect(perAggregate(effects)).toEqual(perAggregate(events));
      const transactions = new Set(effects.map((effect) => effect.tx)).size;
      expect(transactions).toBeLessThan(events.length / 5);
      // One applier: the partitions' batches commit together, not one transaction per partition.
      const partitionsPerTransaction = new Map<string, Set<number>>();
      for (const effect of effects)
        partitionsPerTransaction.set(
          effect.tx,
          (partitionsPerTransaction.get(effect.tx) ?? new Set()).add(effect.part),
        );
      expect(new Set(effects.map((effect) => effect.part)).size).toBe(3);
      expect([...partitionsPerTransaction.values()].some((parts) => parts.size > 1)).toBe(true);
      const inbox = await query<{ copies: number; n: number }>(
        url,
        'SELECT deliveries AS copies, count(*)::int AS n FROM inbox GROUP BY deliveries ORDER BY deliveries',
      );
      expect(inbox).toEqual([
        { copies: 1, n: 120 },
        { copies: 3, n: 30 },
      ]);
      // The outbox rows follow the effects' order, one per effect.
      const outbox = await query<{ aggregate: string; n: number }>(
        url,
        `SELECT aggregateid AS aggregate, (payload->>'n')::int AS n FROM outbox ORDER BY seq`,
      );
      expect(perAggregate(outbox)).toEqual(perAggregate(events));
    } finally {
      await consumer.stop();
    }
  }, 120_000);

  it('new deliveries: the inbox statement travels with the handlers, two round trips in all', async () => {
    const topic = await freshTopic(bus);
    await sendBacklog(topic, backlog(1));
    const writerPool = createPipelinedPool(url, { max: 2 });
    const roundTrips = countRoundTrips(writerPool);
    const consumer = runner({ handlers: { [topic]: { Counted: recordEffect } }, writerPool });
    await consumer.start();
    try {
      await waitFor('the effect', async () => (await query(url, 'SELECT 1 FROM effects')).length === 1, {
        timeoutMs: 60_000,
      });
      // BEGIN, the inbox row and the effect; then the outbox row and COMMIT. Waiting for the inbox
      // first would take three.
      await waitFor(
        'the commit',
        async () => roundTrips.count === 2 && (await query(url, 'SELECT 1 FROM inbox')).length === 1,
      );
      expect(roundTrips.count).toBe(2);
    } finally {
      await consumer.stop();
      await writerPool.end();
    }
  }, 120_000);

  it('a batch with deliveries seen before: no handler acts on those, the rest applies once, copies counted', async () => {
    const events = backlog(40);
    const seen = events.filter((event) => event.n % 8 === 3);
    const group = `g-${randomUUID()}`;
    // Delivered (and applied) before: what a redelivery after a crash or a relay copy finds.
    const topic = await freshTopic(bus);
    await query(
      url,
      `INSERT INTO inbox (consumer, event_id, event_type, topic) SELECT $1, id, 'Counted', $3 FROM unnest($2::uuid[]) AS id`,
      [group, seen.map((event) => event.id), topic],
    );
    await sendBacklog(topic, events);
    const consumer = runner({ handlers: { [topic]: { Counted: recordEffect } }, group });
    await consumer.start();
    try {
      await waitFor(
        'every new effect',
        async () => (await query(url, 'SELECT 1 FROM effects')).length >= 35,
        {
          timeoutMs: 60_000,
        },
      );
      await waitFor('every delivery', async () => {
        const [row] = await query<{ n: number }>(url, 'SELECT sum(deliveries)::int AS n FROM inbox');
        return row!.n === 45;
      });
      const effects = await query<{ aggregate: string; n: number }>(
        url,
        'SELECT aggregate, n FROM effects ORDER BY at',
      );
      expect(perAggregate(effects)).toEqual(perAggregate(events.filter((event) => !seen.includes(event))));
      expect(
        await query(
          url,
          'SELECT count(*)::int AS n FROM inbox WHERE deliveries = 2 AND event_id = ANY($1::uuid[])',
          [seen.map((event) => event.id)],
        ),
      ).toEqual([{ n: 5 }]);
    } finally {
      await consumer.stop();
    }
  }, 120_000);

  it('without dedup, every copy in a batch applies (the switch keeps working in batches)', async () => {
    const events = backlog(20);
    await sendBacklog('inventory', events, () => 2);
    const consumer = runner({ handlers: { inventory: { Counted: recordEffect } }, dedup: false });
    await consumer.start();
    try {
      await waitFor('every copy', async () => (await query(url, 'SELECT 1 FROM effects')).length >= 40, {
        timeoutMs: 60_000,
      });
      expect(await query(url, 'SELECT count(DISTINCT event_id)::int AS n FROM effects')).toEqual([{ n: 20 }]);
      expect(
        await query(url, 'SELECT min(deliveries) AS d, min(applied) AS a, max(applied) AS m FROM inbox'),
      ).toEqual([{ d: 2, a: 2, m: 2 }]);
    } finally {
      await consumer.stop();
    }
  }, 120_000);

  it('journal: each applied event once, in its transaction, before the handlers; copies the inbox skips are not', async () => {
    const events = backlog(60);
    await sendBacklog('users', events, (item) => (item.n % 4 === 0 ? 2 : 1));
    const journal: ReceivedJournal = async (client, applied) => {
      await client.query(
        `INSERT INTO journal (event_id, tx, effects_before)
         SELECT id, txid_current(), (SELECT count(*) FROM effects WHERE tx = txid_current()) FROM unnest($1::uuid[]) AS id`,
        [applied.map((event) => event.id)],
      );
    };
    const consumer = runner({ handlers: { users: { Counted: recordEffect } }, journal });
    await consumer.start();
    try {
      await waitFor('every effect', async () => (await query(url, 'SELECT 1 FROM effects')).length >= 60, {
        timeoutMs: 60_000,
      });
      const journaled = await query<{ event_id: string; tx: string; effects_before: number }>(
        url,
        'SELECT event_id, tx, effects_before FROM journal',
      );
      expect(journaled.map((row) => row.event_id).sort()).toEqual(events.map((event) => event.id).sort());
      const effectTx = new Map(
        (await query<{ event_id: string; tx: string }>(url, 'SELECT event_id, tx FROM effects')).map(
          (row) => [row.event_id, row.tx],
        ),
      );
      for (const row of journaled) {
        expect(row.tx).toBe(effectTx.get(row.event_id));
        expect(row.effects_before).toBe(0);
      }
    } finally {
      await consumer.stop();
    }
  });

  it('set handler: the events of its type in one call per transaction, each emitting as itself', async () => {
    const events = backlog(60);
    await sendBacklog('payments', events, (item) => (item.n % 6 === 0 ? 2 : 1));
    let calls = 0;
    const consumer = runner({
      handlers: {
        payments: {
          Counted: {
            async together(units) {
              calls += 1;
              for (const { tx, event } of units) await recordEffect(tx, event, log);
            },
          },
        },
      },
    });
    await consumer.start();
    try {
      await waitFor('every effect', async () => (await query(url, 'SELECT 1 FROM effects')).length >= 60, {
        timeoutMs: 60_000,
      });
      const effects = await query<{ event_id: string }>(url, 'SELECT event_id FROM effects');
      expect(effects.map((row) => row.event_id).sort()).toEqual(events.map((event) => event.id).sort());
      expect(calls).toBeLessThan(events.length / 5);
      // Each emitted event was caused by its own incoming event, not by the set's first.
      const echoes = await query<{ headers: Record<string, string>; aggregateid: string }>(
        url,
        `SELECT headers, aggregateid FROM outbox WHERE type = 'Echoed'`,
      );
      expect(echoes.map((row) => row.headers['causation-id']).sort()).toEqual(
        events.map((event) => event.id).sort(),
      );
    } finally {
      await consumer.stop();
    }
  });

  it('a graceful stop commits the offsets of everything applied (between commits they are only resolved)', async () => {
    const group = `g-${randomUUID()}`;
    const first = backlog(10);
    const second = backlog(10);
    await sendBacklog('catalog', first);
    const consumer = runner({ handlers: { catalog: { Counted: recordEffect } }, group });
    await consumer.start();
    const applied = async () => (await query(url, 'SELECT 1 FROM effects')).length;
    try {
      await waitFor('the first ten', async () => (await applied()) >= 10, { timeoutMs: 60_000 });
      // Well within the 500 ms commit interval and under the 50-event threshold.
      await sendBacklog('catalog', second);
      await waitFor('the second ten', async () => (await applied()) >= 20, { timeoutMs: 60_000 });
    } finally {
      await consumer.stop();
    }
    const admin = bus.kafka.admin();
    await admin.connect();
    try {
      const [committed] = await admin.fetchOffsets({ groupId: group, topics: ['catalog'] });
      const ends = await admin.fetchTopicOffsets('catalog');
      const byPartition = new Map(committed!.partitions.map((p) => [p.partition, p.offset]));
      for (const end of ends) expect(byPartition.get(end.partition)).toBe(end.high);
    } finally {
      await admin.disconnect();
    }
  });

  /**
   * Each event's handler writes two rows, one statement each; the doomed event fails in between.
   * Other tests' events on the topic (a new group reads it from the beginning) are passed over.
   */
  function twoSteps(ours: Array<{ id: string }>, doomed?: string): FastHandlerMap {
    const ids = new Set(ours.map((event) => event.id));
    const step = (tx: Tx, event: IncomingEvent, number: number) =>
      tx.client.query(
        'INSERT INTO steps (event_id, aggregate, n, step, tx) VALUES ($1, $2, $3, $4, txid_current())',
        [event.id, event.key, (event.payload as { n: number }).n, number],
      );
    return {
      catalog: {
        async Counted(tx, event) {
          if (!ids.has(event.id)) return;
          await step(tx, event, 1);
          if (event.id === doomed) await tx.client.query('SELECT 1 / 0');
          // Work between the statements that takes a turn of the event loop (a handler may wait on
          // more than its database): the others' second statements then come after any failure.
          await new Promise((resolve) => setTimeout(resolve, 5));
          await step(tx, event, 2);
        },
      },
    };
  }

  async function stepsOf(consumer: BatchConsumer, expected: number) {
    await consumer.start();
    try {
      await waitFor('every step', async () => (await query(url, 'SELECT 1 FROM steps')).length >= expected, {
        timeoutMs: 60_000,
      });
    } finally {
      await consumer.stop();
    }
    return query<{ event_id: string; aggregate: string; n: number; step: number; tx: string }>(
      url,
      'SELECT event_id, aggregate, n, step, tx FROM steps ORDER BY seq',
    );
  }

  /** Each aggregate's steps in the order they ran. */
  function stepsPerAggregate(rows: Array<{ aggregate: string; n: number; step: number }>) {
    const result: Record<string, string[]> = {};
    for (const row of rows)
      result[row.aggregate] = [...(result[row.aggregate] ?? []), `${row.n}.${row.step}`];
    return result;
  }

  const fiveAggregates = () =>
    Array.from({ length: 30 }, (_, n) => ({ id: randomUUID(), aggregate: `agg-${n % 5}`, n }));

  it('handlers of different aggregates run at once in a batch transaction, each aggregate in order', async () => {
    const events = fiveAggregates();
    await sendBacklog('catalog', events);
    const steps = await stepsOf(runner({ handlers: twoSteps(events) }), 2 * events.length);
    expect(steps).toHaveLength(2 * events.length);
    expect(stepsPerAggregate(steps)).toEqual(
      stepsPerAggregate(events.flatMap((event) => [1, 2].map((step) => ({ ...event, step })))),
    );
    // Within one transaction, first steps of other aggregates went ahead of an unfinished one's second.
    const interleaved = steps.some((row, index) => {
      const next = steps[index + 1];
      return row.step === 1 && next?.tx === row.tx && next.aggregate !== row.aggregate && next.step === 1;
    });
    expect(interleaved).toBe(true);
  }, 120_000);

  it('a handler failing among concurrent ones: the batch rolls back whole, no statement runs after it', async () => {
    const events = fiveAggregates();
    const doomed = events[17]!;
    await sendBacklog('catalog', events);
    const others = events.filter((event) => event !== doomed);
    const steps = await stepsOf(runner({ handlers: twoSteps(events, doomed.id) }), 2 * others.length);
    // Each step once: a second step sent after the ROLLBACK would have run on its own and stayed.
    expect(steps).toHaveLength(2 * others.length);
    expect(stepsPerAggregate(steps)).toEqual(
      stepsPerAggregate(others.flatMap((event) => [1, 2].map((step) => ({ ...event, step })))),
    );
    await waitFor(
      'the dead letter',
      async () => (await query(url, 'SELECT 1 FROM dead_letters')).length >= 1,
    );
    expect(await query(url, 'SELECT event_id FROM dead_letters')).toEqual([{ event_id: doomed.id }]);
  }, 120_000);

  it('poison and a failing handler in mid-batch: only they are dead-lettered, the rest applies once, in order', async () => {
    const events = backlog(60);
    const doomed = events[25]!;
    await sendBacklog('shipping', [...events.slice(0, 10), 'poison', ...events.slice(10)]);
    const failing: FastHandlerMap = {
      shipping: {
        async Counted(tx, event, handlerLog) {
          if (event.id === doomed.id) throw new Error('this event always fails');
          await recordEffect(tx, event, handlerLog);
        },
      },
    };
    const consumer = runner({ handlers: failing });
    await consumer.start();
    try {
      await waitFor(
        'effects and dead letters',
        async () =>
          (await query(url, 'SELECT 1 FROM effects')).length >= 59 &&
          (await query(url, 'SELECT 1 FROM dead_letters')).length >= 2,
        { timeoutMs: 60_000 },
      );
      const effects = await query<{ aggregate: string; n: number }>(
        url,
        'SELECT aggregate, n FROM effects ORDER BY at',
      );
      expect(perAggregate(effects)).toEqual(perAggregate(events.filter((event) => event !== doomed)));
      const letters = await query<{ event_id: string | null; error: string }>(
        url,
        'SELECT event_id, error FROM dead_letters ORDER BY event_id NULLS FIRST',
      );
      expect(letters.map((letter) => letter.event_id)).toEqual([null, doomed.id]);
      expect(letters[1]!.error).toContain('this event always fails');
      // Nothing of the rolled-back batch attempts stayed behind: one inbox row and one outbox row per effect.
      expect(await query(url, 'SELECT count(*)::int AS n FROM inbox')).toEqual([{ n: 59 }]);
      expect(await query(url, 'SELECT count(*)::int AS n FROM outbox')).toEqual([{ n: 59 }]);
    } finally {
      await consumer.stop();
    }
  }, 120_000);
});
