/**
 * The kit tests' fixture: a real PostgreSQL with the kit's migrations and the test's own tables
 * (and, when asked, the lab's broker with the shop's topics), started once per test file; every
 * table is emptied before each test.
 */
import { randomUUID } from 'node:crypto';
import type { Message } from 'kafkajs';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { Bus } from '../services/kit/bus.ts';
import { createPool, type Pool } from '../services/kit/db.ts';
import type { IncomingEvent, Topic } from '../services/kit/events.ts';
import { kitMigrations, migrate } from '../services/kit/migrate.ts';
import {
  query,
  startBrokerProcess,
  startPostgres,
  type TestBroker,
  type TestPostgres,
  truncateAll,
} from './services-support.ts';

export const silentLog = pino({ level: 'silent' });

export interface KitTestEnv {
  pg: TestPostgres;
  /** The order database's URL, the one the tests use. */
  url: string;
  pool: Pool;
  /** Only with `broker`. */
  bus: Bus;
}

/**
 * Registers the file's hooks; `ready` receives the environment once it is up (the tests keep it in
 * their own variables).
 */
export function withKitDatabase(
  options: {
    /** The pool under test (default: the reference kit's, 10 connections). */
    pool?: (url: string) => Pool;
    /** False: no kit migrations (the migration tests run their own). */
    migrate?: boolean;
    /** Statements creating the test's own tables. */
    tables?: string[];
    /** Also starts the broker; this is the bus's client id. */
    broker?: string;
  },
  ready: (env: KitTestEnv) => void,
): void {
  let pg: TestPostgres | undefined;
  let broker: TestBroker | undefined;
  let pool: Pool | undefined;
  let bus: Bus | undefined;
  beforeAll(async () => {
    [pg, broker] = await Promise.all([startPostgres(), options.broker ? startBrokerProcess() : undefined]);
    const url = pg.urls.order;
    pool = options.pool ? options.pool(url) : createPool(url, { max: 10 });
    if (options.migrate !== false) await migrate(pool, [kitMigrations()]);
    for (const table of options.tables ?? []) await query(url, table);
    if (broker) {
      bus = new Bus({ clientId: options.broker!, brokers: [broker.bootstrap], log: silentLog });
      await bus.connect();
      // Several partitions, as in the shop: order holds per aggregate (one key, one partition).
      await bus.ensureTopics(3);
    }
    ready({ pg, url, pool, bus: bus as Bus });
  }, 120_000);
  afterAll(async () => {
    await bus?.disconnect();
    await pool?.end();
    await Promise.all([pg?.stop(), broker?.stop()]);
  });
  beforeEach(async () => {
    if (pg) await truncateAll(pg.urls.order);
  });
}

/**
 * A topic of its own, for a test that must see its events only (a new group reads a topic from the
 * beginning); with `deadLetters` also its `.dlq` topic, where a dead letter waits until it can be sent.
 */
export async function freshTopic(bus: Bus, options: { deadLetters?: boolean } = {}): Promise<Topic> {
  const topic = `test-${randomUUID()}`;
  const admin = bus.kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic, numPartitions: 3 },
        ...(options.deadLetters ? [{ topic: `${topic}.dlq`, numPartitions: 1 }] : []),
      ],
    });
  } finally {
    await admin.disconnect();
  }
  return topic as Topic;
}

/** One event of the consumer tests: `n` of `aggregate`, as a Counted message. */
export interface Counted {
  id: string;
  aggregate: string;
  n: number;
}

export function countedMessage(item: Counted): Message {
  return {
    key: item.aggregate,
    value: JSON.stringify({ n: item.n }),
    headers: { 'event-id': item.id, 'event-type': 'Counted', 'correlation-id': item.aggregate },
  };
}

/** An event as a consumer receives it, for the inbox tests: only its id matters there. */
export function incomingEvent(id = randomUUID()): IncomingEvent {
  return {
    id,
    type: 'Counted',
    topic: 'orders',
    key: 'k',
    payload: {},
    headers: {},
    partition: 0,
    offset: '0',
    occurredAt: new Date(),
  };
}
