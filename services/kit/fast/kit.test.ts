import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pgLib from 'pg';
import { describe, expect, it } from 'vitest';
import { incomingEvent, silentLog, withKitDatabase } from '../../../test/kit-support.ts';
import { countRoundTrips, query, waitFor } from '../../../test/services-support.ts';
import type { OutgoingEvent } from '../events.ts';
import { FaultHooks } from '../faults.ts';
import { recordDeliveries, recordFirstDeliveries } from './inbox.ts';
import { FastEventWriter } from './outbox.ts';
import { createPipelinedPool, type Pool } from './pool.ts';
import { FastRelay, type FastRelayOptions } from './relay.ts';

const log = silentLog;
let url: string;
let pool: Pool;

withKitDatabase({ pool: (url) => createPipelinedPool(url, { max: 20 }) }, (env) => {
  ({ url, pool } = env);
});

const context = { correlationId: 'c-1', causationId: 'r-1' };

function draft(aggregateId: string, type = 'Something') {
  return {
    topic: 'orders' as const,
    type,
    aggregateType: 'order',
    aggregateId,
    payload: { order_id: aggregateId },
  };
}

/** A `--without outbox` writer and what it published directly (after `beforePublish`). */
function withoutOutbox(beforePublish: () => Promise<void> = async () => {}) {
  const published: OutgoingEvent[] = [];
  const writer = new FastEventWriter({
    pool,
    producer: 'order',
    useOutbox: false,
    publishDirect: async (events) => {
      await beforePublish();
      published.push(...events);
    },
    log,
  });
  return { writer, published };
}

describe('outbox writer', () => {
  it('writes the event row in the state change transaction, with headers', async () => {
    const writer = new FastEventWriter({ pool, producer: 'order', useOutbox: true, log });
    const id = randomUUID();
    const event = await writer.transaction(context, (tx) => tx.emit(draft(id, 'OrderPlaced')));
    const rows = await query<{
      id: string;
      aggregateid: string;
      type: string;
      headers: Record<string, string>;
      published_at: Date | null;
    }>(url, 'SELECT id, aggregateid, type, headers, published_at FROM outbox');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: event.id, aggregateid: id, type: 'OrderPlaced', published_at: null });
    expect(rows[0]!.headers).toMatchObject({
      'event-id': event.id,
      'event-type': 'OrderPlaced',
      'correlation-id': 'c-1',
      'causation-id': 'r-1',
      producer: 'order',
    });
    expect(rows[0]!.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
  });

  it('writes nothing when the transaction rolls back', async () => {
    const writer = new FastEventWriter({ pool, producer: 'order', useOutbox: true, log });
    await expect(
      writer.transaction(context, async (tx) => {
        await tx.emit(draft(randomUUID()));
        throw new Error('handler failed');
      }),
    ).rejects.toThrow('handler failed');
    expect(await query(url, 'SELECT * FROM outbox')).toEqual([]);
  });

  it('an outbox insert that fails (sent together with COMMIT) fails the unit, and nothing of it commits', async () => {
    await query(
      url,
      `CREATE OR REPLACE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN IF NEW.type = 'Boom' THEN RAISE EXCEPTION 'no Boom events'; END IF; RETURN NEW; END $$`,
    );
    await query(
      url,
      'CREATE OR REPLACE TRIGGER refuse_boom BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION refuse_boom()',
    );
    try {
      const writer = new FastEventWriter({ pool, producer: 'order', useOutbox: true, log });
      await expect(
        writer.transaction(context, async (tx) => {
          await tx.client.query(
            `INSERT INTO inbox (consumer, event_id, event_type, topic) VALUES ('x', $1, 't', 't')`,
            [randomUUID()],
          );
          await tx.emit(draft(randomUUID(), 'Boom'));
        }),
      ).rejects.toThrow('no Boom events');
      expect(await query(url, 'SELECT * FROM inbox')).toEqual([]);
      // The connection went back to the pool usable, outside any transaction.
      await writer.transaction(context, (tx) => tx.emit(draft(randomUUID(), 'Fine')));
      expect(await query(url, 'SELECT type FROM outbox')).toEqual([{ type: 'Fine' }]);
    } finally {
      await query(url, 'DROP TRIGGER refuse_boom ON outbox');
    }
  });

  it('without the outbox publishes after commit only, and never on rollback', async () => {
    const { writer, published } = withoutOutbox(async () => {
      // The state change is already visible when the direct publish happens (dual write).
      const visible = await query(url, 'SELECT 1 FROM inbox');
      expect(visible).toHaveLength(1);
    });
    await writer.transaction(context, async (tx) => {
      await tx.client.query(
        `INSERT INTO inbox (consumer, event_id, event_type, topic) VALUES ('x', $1, 't', 't')`,
        [randomUUID()],
      );
      await tx.emit(draft(randomUUID()));
    });
    await expect(
      writer.transaction(context, async (tx) => {
        await tx.emit(draft(randomUUID()));
        throw new Error('no');
      }),
    ).rejects.toThrow('no');
    expect(published).toHaveLength(1);
    expect(await query(url, 'SELECT * FROM outbox')).toEqual([]);
  });

  // The state change of these tests: an inbox row, a table every kit database has.
  const markSeen = (outboxRows: (first: number) => string, eventId: string) => ({
    text: `WITH ${outboxRows(2)}
           INSERT INTO inbox (consumer, event_id, event_type, topic) VALUES ('x', $1, 't', 't') RETURNING event_id`,
    values: [eventId],
  });

  it('statement: the state change and its events in one statement, both or neither', async () => {
    const writer = new FastEventWriter({ pool, producer: 'order', useOutbox: true, log });
    const seen = randomUUID();
    const aggregate = randomUUID();
    const rows = await writer.statement<{ event_id: string }>(
      context,
      [draft(aggregate, 'First'), draft(aggregate, 'Second')],
      (events, outboxRows) => {
        expect(events.map((event) => event.type)).toEqual(['First', 'Second']);
        return markSeen(outboxRows, seen);
      },
    );
    expect(rows).toEqual([{ event_id: seen }]);
    const outbox = await query<{ type: string; headers: Record<string, string> }>(
      url,
      'SELECT type, headers FROM outbox ORDER BY seq',
    );
    expect(outbox.map((row) => row.type)).toEqual(['First', 'Second']);
    expect(outbox[0]!.headers).toMatchObject({
      'correlation-id': 'c-1',
      'causation-id': 'r-1',
      producer: 'order',
    });

    // The same inbox row again violates its primary key: the events of that statement are not written.
    await expect(
      writer.statement(context, [draft(aggregate, 'Third')], (_events, outboxRows) =>
        markSeen(outboxRows, seen),
      ),
    ).rejects.toThrow(/duplicate key/);
    expect(await query(url, 'SELECT type FROM outbox WHERE type = $1', ['Third'])).toEqual([]);
  });

  it('statement without the outbox: publishes after the statement, writes no outbox row', async () => {
    const { writer, published } = withoutOutbox();
    await writer.statement(context, [draft(randomUUID())], (_events, outboxRows) =>
      markSeen(outboxRows, randomUUID()),
    );
    expect(published.map((event) => event.type)).toEqual(['Something']);
    expect(await query(url, 'SELECT * FROM inbox')).toHaveLength(1);
    expect(await query(url, 'SELECT * FROM outbox')).toEqual([]);
  });

  it('journal: its statement runs in the transaction, after the work and before the outbox insert', async () => {
    await query(url, 'CREATE TABLE IF NOT EXISTS journaled (type text, outbox_rows int, work_rows int)');
    await query(url, 'CREATE TABLE IF NOT EXISTS journal_work (n int)');
    const writer = new FastEventWriter({
      pool,
      producer: 'order',
      useOutbox: true,
      journal: (events) => ({
        text: `INSERT INTO journaled SELECT type, (SELECT count(*) FROM outbox), (SELECT count(*) FROM journal_work)
               FROM unnest($1::text[]) AS type`,
        values: [events.map((event) => event.type)],
      }),
      log,
    });
    await writer.batch(async (open, client) => {
      await open(context).emit(draft(randomUUID(), 'A'));
      await open(context).emit(draft(randomUUID(), 'B'));
      await client.query('INSERT INTO journal_work VALUES (1)');
    });
    await writer.transaction(context, async () => {}); // nothing emitted: nothing to journal
    expect(await query(url, 'SELECT * FROM journaled')).toEqual([
      { type: 'A', outbox_rows: 0, work_rows: 1 },
      { type: 'B', outbox_rows: 0, work_rows: 1 },
    ]);
    expect(await query(url, 'SELECT * FROM outbox')).toHaveLength(2);
    // A failing journal takes the outbox rows and the work down with it.
    const failing = new FastEventWriter({
      pool,
      producer: 'order',
      useOutbox: true,
      journal: () => ({ text: 'SELECT 1 / 0', values: [] }),
      log,
    });
    await expect(
      failing.batch(async (open, client) => {
        await open(context).emit(draft(randomUUID(), 'C'));
        await client.query('INSERT INTO journal_work VALUES (2)');
      }),
    ).rejects.toThrow(/division by zero/);
    expect(await query(url, 'SELECT * FROM outbox')).toHaveLength(2);
    expect(await query(url, 'SELECT n FROM journal_work')).toEqual([{ n: 1 }]);
  });
});

describe('relay', () => {
  async function writeEvents(aggregates: string[], perAggregate: number): Promise<void> {
    const writer = new FastEventWriter({ pool, producer: 'order', useOutbox: true, log });
    for (let round = 0; round < perAggregate; round++)
      for (const aggregate of aggregates)
        await writer.transaction(context, (tx) => tx.emit(draft(aggregate, `E${round}`)));
  }

  /** A relay on the shared pool that records what it publishes. */
  function recordingRelay(options: Partial<FastRelayOptions> = {}): {
    relay: FastRelay;
    sent: OutgoingEvent[];
  } {
    const sent: OutgoingEvent[] = [];
    const relay = new FastRelay({
      pool,
      listenUrl: url,
      publish: async (events) => void sent.push(...events),
      faults: new FaultHooks(),
      log,
      ...options,
    });
    return { relay, sent };
  }

  /** A writer whose commits `relay` claims, as a service's are. */
  function claimingWriter(relay: FastRelay): FastEventWriter {
    const writer = new FastEventWriter({ pool, producer: 'order', useOutbox: true, log });
    writer.claimOnCommitWith((ids) => relay.claimOnCommit(ids));
    return writer;
  }

  /** Each aggregate's three events went out in order, and every row is marked published. */
  async function expectEachPublishedInOrder(sent: OutgoingEvent[], ids: string[]): Promise<void> {
    for (const id of ids)
      expect(sent.filter((event) => event.aggregateId === id).map((event) => event.type)).toEqual([
        'E0',
        'E1',
        'E2',
      ]);
    expect(await query(url, 'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL')).toEqual([
      { n: 0 },
    ]);
  }

  it('publishes the backlog in order, then marks it published', async () => {
    const ids = [randomUUID(), randomUUID()];
    await writeEvents(ids, 3);
    const { relay, sent } = recordingRelay();
    expect(await relay.drainOnce()).toBe(6);
    expect(await relay.drainOnce()).toBe(0);
    await expectEachPublishedInOrder(sent, ids);
  });

  it('goes on while its batches are full, each mark sent with the next claim; ends with a mark alone', async () => {
    const ids = [randomUUID(), randomUUID()];
    await writeEvents(ids, 3);
    const counted = createPipelinedPool(url, { max: 1 });
    const roundTrips = countRoundTrips(counted);
    const { relay, sent } = recordingRelay({ pool: counted, batchSize: 4 });
    try {
      // Claims of 4 and 2: claim, mark + claim, mark (no news came: nothing left to claim). A round
      // trip each for the marks and the claims would be four, and BEGIN and COMMIT on their own more.
      expect(await relay.drainOnce()).toBe(6);
      expect(roundTrips.count).toBe(3);
    } finally {
      await counted.end();
    }
    await expectEachPublishedInOrder(sent, ids);
  });

  it('claims on commit: the COMMIT carries the claim, notifies no one, and the event goes out at once', async () => {
    const { relay, sent } = recordingRelay({ pollIntervalMs: 60_000 });
    const listener = new pgLib.Client({ connectionString: url });
    let notifications = 0;
    listener.on('notification', () => {
      notifications += 1;
    });
    await listener.connect();
    await listener.query('LISTEN outbox');
    relay.start();
    const bound = claimingWriter(relay);
    const plain = new FastEventWriter({ pool, producer: 'order', useOutbox: true, log });
    try {
      await bound.transaction(context, (tx) => tx.emit(draft(randomUUID(), 'InTransaction')));
      await bound.statement(context, [draft(randomUUID(), 'InStatement')], (_events, outboxRows) => ({
        text: `WITH ${outboxRows(1)} SELECT 1 AS one`,
        values: [],
      }));
      // Neither notified, and the poll is a minute away: only the claims on commit can publish them.
      await waitFor('both events', async () => sent.length === 2, { timeoutMs: 10_000 });
      expect(sent.map((event) => event.type).sort()).toEqual(['InStatement', 'InTransaction']);
      // A writer without the relay's claim notifies as before.
      await plain.transaction(context, (tx) => tx.emit(draft(randomUUID(), 'Notified')));
      await waitFor('the notified event', async () => sent.length === 3, { timeoutMs: 20_000 });
      expect(notifications).toBe(1);
    } finally {
      await relay.stop();
      await listener.end();
    }
  });

  it('a claim on commit that misses its rows (another session holds their aggregate): that session publishes them next, in order', async () => {
    const id = randomUUID();
    const sent: OutgoingEvent[] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const relay = new FastRelay({
      pool,
      listenUrl: url,
      publish: async (events) => {
        if (events.some((event) => event.type === 'E0')) await held;
        sent.push(...events);
      },
      faults: new FaultHooks(),
      log,
      pollIntervalMs: 60_000,
    });
    relay.start();
    const bound = claimingWriter(relay);
    try {
      // E0 by a plain writer: its notification starts a session, which holds the order while publishing.
      await writeEvents([id], 1);
      // Its own row only: rows other tests left (of other aggregates) say nothing about this one.
      await waitFor('E0 to be claimed', async () => {
        const [row] = await query<{ n: number }>(
          url,
          `SELECT count(*)::int AS n FROM outbox
           WHERE id IN (SELECT id FROM outbox WHERE aggregateid = $1 FOR UPDATE SKIP LOCKED)`,
          [id],
        );
        return row!.n === 0;
      });
      // E1's claim on commit skips the order (its head, E0, is locked) and says so.
      await bound.transaction(context, (tx) => tx.emit(draft(id, 'E1')));
      release();
      // The poll is a minute away: only the holding session claiming again after its mark finds E1.
      await waitFor('E1', async () => sent.length === 2, { timeoutMs: 10_000 });
      expect(sent.map((event) => event.type)).toEqual(['E0', 'E1']);
    } finally {
      release();
      await relay.stop();
    }
  });

  it('a failed transaction gives its claim on commit back', async () => {
    const { relay } = recordingRelay({ sessions: 2 });
    relay.start();
    const bound = claimingWriter(relay);
    try {
      for (let attempt = 0; attempt < 4; attempt++)
        await expect(
          bound.transaction(context, async (tx) => {
            await tx.emit(draft(randomUUID()));
            // Fails in the outbox insert, which is sent with the claim's COMMIT.
            await tx.emit({ ...draft(randomUUID()), payload: { text: 'NUL \u0000 is not jsonb' } });
          }),
        ).rejects.toThrow();
      await waitFor('the relay to be idle', async () => {
        const claim = relay.claimOnCommit([]);
        claim?.drop();
        return claim !== undefined;
      });
    } finally {
      await relay.stop();
    }
  });

  it('runs several sessions while claims are small, one at a time once they are big', async () => {
    const relay = (): FastRelay => recordingRelay({ sessions: 3, busyClaimRows: 4 }).relay;
    const quiet = relay();
    quiet.start();
    try {
      const claims = [quiet.claimOnCommit([]), quiet.claimOnCommit([]), quiet.claimOnCommit([])];
      expect(claims.every((claim) => claim !== undefined)).toBe(true);
      expect(quiet.claimOnCommit([])).toBeUndefined();
      for (const claim of claims) claim!.drop();
    } finally {
      await quiet.stop();
    }
    await writeEvents(
      Array.from({ length: 60 }, () => randomUUID()),
      1,
    );
    const busy = relay();
    busy.start(); // its first claim takes the backlog of 60
    try {
      await waitFor('the backlog', async () => {
        const [row] = await query<{ n: number }>(
          url,
          'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
        );
        return row!.n === 0;
      });
      const claim = busy.claimOnCommit([]);
      expect(claim).toBeDefined();
      expect(busy.claimOnCommit([])).toBeUndefined();
      claim!.drop();
    } finally {
      await busy.stop();
    }
  });

  it('leaves rows unpublished when the publish fails (at-least-once)', async () => {
    await writeEvents([randomUUID()], 2);
    const relay = new FastRelay({
      pool,
      listenUrl: url,
      publish: async () => {
        throw new Error('broker down');
      },
      faults: new FaultHooks(),
      log,
    });
    await expect(relay.drainOnce()).rejects.toThrow('broker down');
    expect(await query(url, 'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL')).toEqual([
      { n: 2 },
    ]);
  });

  it('relay_crash: dies after the publish and before marking; the rows are published again', async () => {
    await writeEvents([randomUUID()], 2);
    const faults = new FaultHooks();
    faults.relayCrash = true;
    let crashed = 0;
    const { relay, sent } = recordingRelay({
      faults,
      crash: () => {
        crashed += 1;
      },
    });
    await expect(relay.drainOnce()).rejects.toThrow(/relay_crash/);
    expect(crashed).toBe(1);
    expect(await query(url, 'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL')).toEqual([
      { n: 2 },
    ]);
    expect(await relay.drainOnce()).toBe(2);
    expect(sent.map((event) => event.type)).toEqual(['E0', 'E1', 'E0', 'E1']);
  });

  it('duplicate fault: publishes extra copies right after the original and records them', async () => {
    await writeEvents([randomUUID()], 2);
    const { relay, sent } = recordingRelay({
      faults: new FaultHooks({ duplicateDefault: { probability: 1, copies: 2 } }),
    });
    expect(await relay.drainOnce()).toBe(2);
    expect(sent.map((event) => event.type)).toEqual(['E0', 'E0', 'E0', 'E1', 'E1', 'E1']);
    expect(new Set(sent.map((event) => event.id)).size).toBe(2);
    expect(await query(url, 'SELECT sum(copies_published)::int AS n FROM outbox')).toEqual([{ n: 4 }]);
  });

  it('two relays racing: every event once, each aggregate in order', async () => {
    const aggregates = Array.from({ length: 20 }, () => randomUUID());
    const sent: OutgoingEvent[] = [];
    const slowPublish = async (events: OutgoingEvent[]) => {
      await sleep(Math.random() * 15);
      sent.push(...events);
    };
    const relays = [0, 1].map(
      () =>
        new FastRelay({
          pool,
          listenUrl: url,
          publish: slowPublish,
          faults: new FaultHooks(),
          log,
          batchSize: 7,
          pollIntervalMs: 20,
        }),
    );
    for (const relay of relays) relay.start();
    await writeEvents(aggregates, 10); // written while both relays run
    await waitFor('the backlog to drain', async () => {
      const [row] = await query<{ n: number }>(
        url,
        'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
      );
      return row!.n === 0;
    });
    await Promise.all(relays.map((relay) => relay.stop()));
    expect(sent).toHaveLength(200);
    expect(new Set(sent.map((event) => event.id)).size).toBe(200);
    for (const aggregate of aggregates)
      expect(sent.filter((event) => event.aggregateId === aggregate).map((event) => event.type)).toEqual(
        Array.from({ length: 10 }, (_, round) => `E${round}`),
      );
  });

  it('wakes up on NOTIFY, long before its poll interval', async () => {
    const { relay, sent } = recordingRelay({ pollIntervalMs: 60_000 });
    relay.start();
    try {
      await sleep(500); // let it LISTEN and go idle
      const started = Date.now();
      await writeEvents([randomUUID()], 1);
      // The poll would take 60 s; on a loaded machine the LISTEN connection itself can take seconds.
      await waitFor('the event', async () => sent.length === 1, { timeoutMs: 20_000 });
      expect(Date.now() - started).toBeLessThan(20_000);
    } finally {
      await relay.stop();
    }
  });
});

describe('inbox', () => {
  it('applies an event once and counts every later delivery as a duplicate', async () => {
    const event = incomingEvent();
    const deliveries = [];
    for (let i = 0; i < 3; i++) {
      const client = await pool.connect();
      try {
        deliveries.push(
          ...(await recordDeliveries(client, { consumer: 'payment', events: [event], dedup: true })),
        );
      } finally {
        client.release();
      }
    }
    expect(deliveries.map((delivery) => delivery.apply)).toEqual([true, false, false]);
    expect(await query(url, 'SELECT deliveries, applied FROM inbox')).toEqual([
      { deliveries: 3, applied: 1 },
    ]);
  });

  it('without dedup applies every copy and says so in applied', async () => {
    const event = incomingEvent();
    for (let i = 0; i < 2; i++) {
      const client = await pool.connect();
      try {
        const [delivery] = await recordDeliveries(client, {
          consumer: 'payment',
          events: [event],
          dedup: false,
        });
        expect(delivery?.apply).toBe(true);
      } finally {
        client.release();
      }
    }
    expect(await query(url, 'SELECT deliveries, applied FROM inbox')).toEqual([
      { deliveries: 2, applied: 2 },
    ]);
  });

  it('numbers a batch in apply order (batch order), not in the id order its rows are locked in', async () => {
    const uuid = (letter: string) => `00000000-0000-4000-8000-00000000000${letter}` as const;
    const ids = ['c', 'a', 'b'].map(uuid);
    const later = ['f', 'd', 'e'].map(uuid);
    const client = await pool.connect();
    try {
      await recordFirstDeliveries(client, {
        consumer: 'payment',
        events: ids.map((id) => incomingEvent(id)),
      });
      await recordDeliveries(client, {
        consumer: 'payment',
        events: [...later, later[0]!].map((id) => incomingEvent(id)),
        dedup: true,
      });
    } finally {
      client.release();
    }
    const rows = await query<{ event_id: string }>(url, 'SELECT event_id FROM inbox ORDER BY apply_seq');
    expect(rows.map((row) => row.event_id)).toEqual([...ids, ...later]);
  });

  it('two concurrent copies: exactly one applies its effects', async () => {
    const event = incomingEvent();
    await query(url, 'CREATE TABLE IF NOT EXISTS effects (n int)');
    await query(url, 'TRUNCATE effects');
    const writer = new FastEventWriter({ pool, producer: 'x', useOutbox: true, log });
    await Promise.all(
      [0, 1, 2, 3].map(() =>
        writer.transaction(context, async (tx) => {
          const [delivery] = await recordDeliveries(tx.client, {
            consumer: 'inventory',
            events: [event],
            dedup: true,
          });
          await sleep(30);
          if (delivery?.apply) await tx.client.query('INSERT INTO effects VALUES (1)');
        }),
      ),
    );
    expect(await query(url, 'SELECT count(*)::int AS n FROM effects')).toEqual([{ n: 1 }]);
  });
});
