import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { silentLog, withKitDatabase } from '../../test/kit-support.ts';
import { query, type TestPostgres, waitFor } from '../../test/services-support.ts';
import { createPool, type Pool } from './db.ts';
import type { OutgoingEvent } from './events.ts';
import { FaultHooks } from './faults.ts';
import { OutboxWriter } from './outbox.ts';
import { MARK_PUBLISHED, Relay, type RelayOptions } from './relay.ts';

const log = silentLog;
let pg: TestPostgres;
let pool: Pool;
let writer: OutboxWriter;

withKitDatabase({ pool: (url) => createPool(url, { max: 20 }) }, (env) => {
  ({ pg, pool } = env);
  writer = new OutboxWriter({ pool, producer: 'order', useOutbox: true, log });
});

const context = { correlationId: 'c', causationId: 'c' };

function write(aggregateId: string, type: string): Promise<OutgoingEvent> {
  return writer.transaction(context, (tx) =>
    tx.emit({ topic: 'orders', type, aggregateType: 'order', aggregateId, payload: {} }),
  );
}

function relay(options: Partial<RelayOptions> & { published: OutgoingEvent[] }): Relay {
  const { published, ...rest } = options;
  return new Relay({
    pool,
    listenUrl: pg.urls.order,
    publish: async (events) => {
      published.push(...events);
    },
    faults: new FaultHooks(),
    log,
    ...rest,
  });
}

async function unpublished(): Promise<number> {
  const [row] = await query<{ n: number }>(
    pg.urls.order,
    'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
  );
  return row!.n;
}

function perAggregate(events: OutgoingEvent[]): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const event of events) result[event.aggregateId] = [...(result[event.aggregateId] ?? []), event.type];
  return result;
}

describe('reference relay', () => {
  it('publishes the backlog in order with the aggregate as key, then marks it published', async () => {
    const a = randomUUID();
    const b = randomUUID();
    for (const [aggregate, type] of [
      [a, 'A1'],
      [b, 'B1'],
      [a, 'A2'],
      [b, 'B2'],
    ] as const)
      await write(aggregate, type);
    const published: OutgoingEvent[] = [];
    expect(await relay({ published }).relayOnce()).toBe(4);
    expect(published.map((event) => event.type)).toEqual(['A1', 'B1', 'A2', 'B2']);
    expect(await unpublished()).toBe(0);
    expect(await relay({ published }).relayOnce()).toBe(0);
  });

  it('at-least-once: a crash between publish and mark leaves the rows unpublished; they go out again', async () => {
    const id = randomUUID();
    const event = await write(id, 'Placed');
    const faults = new FaultHooks();
    faults.relayCrash = true;
    const published: OutgoingEvent[] = [];
    let crashed = 0;
    await expect(relay({ published, faults, crash: () => (crashed += 1) }).relayOnce()).rejects.toThrow(
      'relay_crash',
    );
    expect(crashed).toBe(1);
    expect(published.map((copy) => copy.id)).toEqual([event.id]);
    expect(await unpublished()).toBe(1);
    // The next relay (the restarted process) publishes it again: a copy the inbox absorbs.
    expect(await relay({ published, faults }).relayOnce()).toBe(1);
    expect(published.map((copy) => copy.id)).toEqual([event.id, event.id]);
    expect(await unpublished()).toBe(0);
  });

  it('a failed publish leaves the rows unpublished and the relay unharmed', async () => {
    await write(randomUUID(), 'Placed');
    const failing = relay({
      published: [],
      publish: async () => {
        throw new Error('broker down');
      },
    });
    await expect(failing.relayOnce()).rejects.toThrow('broker down');
    expect(await unpublished()).toBe(1);
    const published: OutgoingEvent[] = [];
    expect(await relay({ published }).relayOnce()).toBe(1);
  });

  it('duplicate fault: extra copies right after the original, counted in copies_published', async () => {
    const event = await write(randomUUID(), 'Placed');
    const faults = new FaultHooks();
    faults.setDuplicate({ probability: 1, copies: 2 });
    const published: OutgoingEvent[] = [];
    await relay({ published, faults }).relayOnce();
    expect(published.map((copy) => copy.id)).toEqual([event.id, event.id, event.id]);
    expect(await query(pg.urls.order, 'SELECT copies_published FROM outbox')).toEqual([
      { copies_published: 2 },
    ]);
  });

  it('two relays racing: every event once, each aggregate in order', async () => {
    const aggregates = Array.from({ length: 8 }, () => randomUUID());
    const published: OutgoingEvent[] = [];
    // A slow publish keeps each claim's locks held while the other relay claims.
    const slow = async (events: OutgoingEvent[]) => {
      await sleep(Math.random() * 15);
      published.push(...events);
    };
    const relays = [
      relay({ published, publish: slow, batchSize: 3, pollIntervalMs: 20 }),
      relay({ published, publish: slow, batchSize: 3, pollIntervalMs: 20 }),
    ];
    for (const each of relays) each.start();
    try {
      for (let round = 1; round <= 6; round++)
        await Promise.all(aggregates.map((aggregate) => write(aggregate, `E${round}`)));
      await waitFor(
        'every event published',
        async () => (await unpublished()) === 0 && published.length >= 48,
        {
          timeoutMs: 30_000,
        },
      );
    } finally {
      await Promise.all(relays.map((each) => each.stop()));
    }
    expect(new Set(published.map((event) => event.id)).size).toBe(48);
    expect(published).toHaveLength(48);
    const expected = ['E1', 'E2', 'E3', 'E4', 'E5', 'E6'];
    for (const types of Object.values(perAggregate(published))) expect(types).toEqual(expected);
  });

  it('marks rows by primary key even with a plan made while the outbox was nearly empty', async () => {
    // A prepared statement keeps its generic plan as the table grows; forced here, as the plan
    // cache would choose it after a few executions.
    const client = await pool.connect();
    const plan = async () =>
      (
        await client.query<{ 'QUERY PLAN': string }>(
          'EXPLAIN EXECUTE mark (ARRAY[gen_random_uuid()], ARRAY[0])',
        )
      ).rows
        .map((row) => row['QUERY PLAN'])
        .join('\n');
    try {
      await client.query('BEGIN');
      await client.query('SET LOCAL plan_cache_mode = force_generic_plan');
      await client.query(`PREPARE mark (uuid[], int[]) AS ${MARK_PUBLISHED}`);
      await plan();
      await client.query(
        `INSERT INTO outbox (id, aggregatetype, aggregateid, type, topic, payload)
         SELECT gen_random_uuid(), 'order', 'a' || i, 'OrderPlaced', 'orders', '{}' FROM generate_series(1, 20000) i`,
      );
      const grown = await plan();
      expect(grown).toContain('outbox_pkey');
      expect(grown).not.toContain('Seq Scan');
    } finally {
      await client.query('ROLLBACK');
      await client.query('DEALLOCATE mark');
      client.release();
    }
  });

  it('wakes up on NOTIFY, long before its poll interval', async () => {
    const published: OutgoingEvent[] = [];
    const running = relay({ published, pollIntervalMs: 60_000 });
    running.start();
    try {
      await sleep(500); // LISTEN in place, the first (empty) round done
      const started = Date.now();
      await write(randomUUID(), 'Placed');
      await waitFor('the event', async () => published.length === 1, { timeoutMs: 10_000 });
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await running.stop();
    }
  });
});
