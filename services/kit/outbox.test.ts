import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { silentLog, withKitDatabase } from '../../test/kit-support.ts';
import { query, type TestPostgres } from '../../test/services-support.ts';
import { createPool, type Pool } from './db.ts';
import type { EventDraft, OutgoingEvent } from './events.ts';
import { OutboxWriter } from './outbox.ts';
import { DatabaseUnavailableError, isTransientDatabaseError } from './retry.ts';

const log = silentLog;
let pg: TestPostgres;
let pool: Pool;

withKitDatabase({ tables: ['CREATE TABLE things (id uuid PRIMARY KEY)'] }, (env) => {
  ({ pg, pool } = env);
});

const context = { correlationId: 'c-1', causationId: 'cause-1' };
const draft = (aggregateId: string, type = 'ThingMade'): EventDraft => ({
  topic: 'orders',
  type,
  aggregateType: 'thing',
  aggregateId,
  payload: { id: aggregateId },
});

async function outbox() {
  return query<{ aggregateid: string; type: string; headers: Record<string, string> }>(
    pg.urls.order,
    'SELECT aggregateid, type, headers FROM outbox ORDER BY seq',
  );
}

describe('reference outbox', () => {
  it('the state change and its event rows commit together, in emit order, with headers', async () => {
    const writer = new OutboxWriter({ pool, producer: 'order', useOutbox: true, log });
    const id = randomUUID();
    const first = await writer.transaction(context, async (tx) => {
      await tx.client.query('INSERT INTO things (id) VALUES ($1)', [id]);
      const event = await tx.emit(draft(id, 'First'));
      await tx.emit(draft(id, 'Second'));
      return event;
    });
    expect(await query(pg.urls.order, 'SELECT id FROM things')).toEqual([{ id }]);
    const rows = await outbox();
    expect(rows.map((row) => row.type)).toEqual(['First', 'Second']);
    expect(rows[0]!.headers).toMatchObject({
      'event-id': first.id,
      'event-type': 'First',
      'correlation-id': 'c-1',
      'causation-id': 'cause-1',
      producer: 'order',
    });
  });

  it('a failure after the emit rolls back the event row with the state change', async () => {
    const writer = new OutboxWriter({ pool, producer: 'order', useOutbox: true, log });
    const id = randomUUID();
    await expect(
      writer.transaction(context, async (tx) => {
        await tx.client.query('INSERT INTO things (id) VALUES ($1)', [id]);
        await tx.emit(draft(id));
        await tx.client.query('INSERT INTO things (id) VALUES ($1)', [id]); // duplicate key
      }),
    ).rejects.toMatchObject({ code: '23505' });
    expect(await query(pg.urls.order, 'SELECT id FROM things')).toEqual([]);
    expect(await outbox()).toEqual([]);
    // The connection went back to the pool clean: the next transaction works.
    await writer.transaction(context, (tx) => tx.emit(draft(randomUUID())));
    expect(await outbox()).toHaveLength(1);
  });

  it('the service records what it emits in the same transaction (recordEmitted)', async () => {
    await pool.query('CREATE TABLE IF NOT EXISTS emitted (event_id uuid, tx bigint)');
    const writer = new OutboxWriter({
      pool,
      producer: 'order',
      useOutbox: true,
      recordEmitted: async (client, event) => {
        await client.query('INSERT INTO emitted VALUES ($1, txid_current())', [event.id]);
      },
      log,
    });
    const [event, tx] = await writer.transaction(context, async (unit) => {
      const emitted = await unit.emit(draft(randomUUID()));
      const { rows } = await unit.client.query<{ tx: number }>('SELECT txid_current() AS tx');
      return [emitted, rows[0]!.tx] as const;
    });
    expect(await query(pg.urls.order, 'SELECT event_id, tx FROM emitted')).toEqual([
      { event_id: event.id, tx },
    ]);
  });

  it('--without outbox: the dual write publishes after COMMIT, never on rollback, and loses events the broker refuses', async () => {
    const published: OutgoingEvent[][] = [];
    let brokerUp = true;
    const writer = new OutboxWriter({
      pool,
      producer: 'order',
      useOutbox: false,
      publishDirect: async (events) => {
        if (!brokerUp) throw new Error('broker down');
        // Published only once the state is visible to everyone: after COMMIT.
        const { rows } = await pool.query('SELECT id FROM things WHERE id = $1', [events[0]!.aggregateId]);
        expect(rows).toHaveLength(1);
        published.push(events);
      },
      log,
    });
    const make = (id: string) =>
      writer.transaction(context, async (tx) => {
        await tx.client.query('INSERT INTO things (id) VALUES ($1)', [id]);
        await tx.emit(draft(id));
      });
    const kept = randomUUID();
    await make(kept);
    await expect(
      writer.transaction(context, async (tx) => {
        await tx.emit(draft(randomUUID()));
        throw new Error('rolled back');
      }),
    ).rejects.toThrow('rolled back');
    brokerUp = false;
    const lost = randomUUID();
    await make(lost); // committed, its event gone: the anomaly the outbox prevents
    expect(published.map((events) => events.map((event) => event.aggregateId))).toEqual([[kept]]);
    expect(await outbox()).toEqual([]);
    expect(await query(pg.urls.order, 'SELECT id FROM things ORDER BY id')).toHaveLength(2);
  });

  it('a database that cannot be reached is DatabaseUnavailableError (retriable), not a handler failure', async () => {
    const nowhere = createPool('postgres://nobody@127.0.0.1:1/none');
    const writer = new OutboxWriter({ pool: nowhere, producer: 'order', useOutbox: true, log });
    await expect(writer.transaction(context, (tx) => tx.emit(draft(randomUUID())))).rejects.toBeInstanceOf(
      DatabaseUnavailableError,
    );
    await nowhere.end();
  });

  it('a connection killed mid-transaction fails as transient, nothing commits, the process lives on', async () => {
    const writer = new OutboxWriter({ pool, producer: 'order', useOutbox: true, log });
    const id = randomUUID();
    const failure = await writer
      .transaction(context, async (tx) => {
        await tx.client.query('INSERT INTO things (id) VALUES ($1)', [id]);
        await tx.emit(draft(id));
        await query(pg.urls.order, 'SELECT pg_terminate_backend($1)', [
          (await tx.client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid,
        ]);
        await tx.client.query('SELECT 1');
      })
      .catch((error: unknown) => error);
    // 57P01 (admin_shutdown) or the broken connection itself, whichever pg reports first.
    expect(isTransientDatabaseError(failure)).toBe(true);
    await sleep(200); // the dead socket's late `error` event must find a listener
    expect(await query(pg.urls.order, 'SELECT id FROM things')).toEqual([]);
    expect(await outbox()).toEqual([]);
  });
});
