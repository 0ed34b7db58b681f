import { describe, expect, it } from 'vitest';
import { incomingEvent, withKitDatabase } from '../../test/kit-support.ts';
import { query, type TestPostgres } from '../../test/services-support.ts';
import { inTransaction, type Pool } from './db.ts';
import type { IncomingEvent } from './events.ts';
import { recordDelivery } from './inbox.ts';

let pg: TestPostgres;
let pool: Pool;

withKitDatabase({ tables: ['CREATE TABLE effects (event_id uuid)'] }, (env) => {
  ({ pg, pool } = env);
});

/** As the consumer does: the inbox row, then (if it applies) the effect, in one transaction. */
function deliver(delivered: IncomingEvent, options: { dedup?: boolean; fail?: boolean } = {}) {
  return inTransaction(pool, async (client) => {
    const delivery = await recordDelivery(client, {
      consumer: 'test',
      event: delivered,
      dedup: options.dedup ?? true,
    });
    if (delivery.apply) await client.query('INSERT INTO effects VALUES ($1)', [delivered.id]);
    if (options.fail) throw new Error('the handler failed');
    return delivery;
  });
}

async function effects(id: string): Promise<number> {
  return (await query(pg.urls.order, 'SELECT 1 FROM effects WHERE event_id = $1', [id])).length;
}

describe('reference inbox', () => {
  it('applies an event once; every later delivery is a duplicate, skipped and counted', async () => {
    const once = incomingEvent();
    expect(await deliver(once)).toEqual({ duplicate: false, apply: true, deliveries: 1 });
    expect(await deliver(once)).toEqual({ duplicate: true, apply: false, deliveries: 2 });
    expect(await deliver(once)).toEqual({ duplicate: true, apply: false, deliveries: 3 });
    expect(await effects(once.id)).toBe(1);
    expect(
      await query(pg.urls.order, 'SELECT deliveries, applied FROM inbox WHERE event_id = $1', [once.id]),
    ).toEqual([{ deliveries: 3, applied: 1 }]);
  });

  it('a handler that fails leaves no inbox row: the retry applies', async () => {
    const retried = incomingEvent();
    await expect(deliver(retried, { fail: true })).rejects.toThrow('the handler failed');
    expect(await query(pg.urls.order, 'SELECT 1 FROM inbox WHERE event_id = $1', [retried.id])).toEqual([]);
    expect(await deliver(retried)).toMatchObject({ duplicate: false, apply: true });
    expect(await effects(retried.id)).toBe(1);
  });

  it('--without inbox: every copy applies, and `applied` says how often', async () => {
    const copied = incomingEvent();
    for (let copy = 0; copy < 3; copy++) expect((await deliver(copied, { dedup: false })).apply).toBe(true);
    expect(await effects(copied.id)).toBe(3);
    expect(
      await query(pg.urls.order, 'SELECT deliveries, applied FROM inbox WHERE event_id = $1', [copied.id]),
    ).toEqual([{ deliveries: 3, applied: 3 }]);
  });

  it('concurrent copies: exactly one applies, the others wait for it and are duplicates', async () => {
    const raced = incomingEvent();
    const deliveries = await Promise.all(Array.from({ length: 5 }, () => deliver(raced)));
    expect(deliveries.filter((delivery) => delivery.apply)).toHaveLength(1);
    expect(await effects(raced.id)).toBe(1);
  });
});
