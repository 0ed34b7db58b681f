/**
 * Test support for the shop: a throwaway PostgreSQL cluster with one database per service, the
 * lab's broker as a real process, and the services as real processes (what `lab up` runs).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import pino from 'pino';
import { afterAll, beforeAll } from 'vitest';
import type { DatabaseServiceName } from '../common/roster.ts';
import { allocatePort } from '../infra/ports.ts';
import { PostgresCluster } from '../infra/postgres/cluster.ts';
import type { EventHandler, HandlerMap, RecordReceived } from '../services/kit/consumer.ts';
import { createPool, type Pool } from '../services/kit/db.ts';
import type { IncomingEvent } from '../services/kit/events.ts';
import {
  applyOne,
  type FastHandlerMap,
  type SetHandler,
  withFastForms,
} from '../services/kit/fast/consumer.ts';
import { type EmittedJournal, FastEventWriter } from '../services/kit/fast/outbox.ts';
import { createPipelinedPool } from '../services/kit/fast/pool.ts';
import type { Logger } from '../services/kit/log.ts';
import { kitMigrations, migrate } from '../services/kit/migrate.ts';
import { type EventWriter, OutboxWriter, type RecordEmitted } from '../services/kit/outbox.ts';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const ADMIN_TOKEN = 'test-admin-token';
export const JWT_SECRET = 'test-jwt-secret-0123456789abcdef';

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  options: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      last = error;
    }
    await sleep(options.intervalMs ?? 100);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

export interface TestPostgres {
  cluster: PostgresCluster;
  urls: Record<DatabaseServiceName, string>;
  /** A fresh, empty database owned by a service's role (for isolated kit tests). */
  stop(): Promise<void>;
}

export async function startPostgres(): Promise<TestPostgres> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lab-svc-pg-'));
  const cluster = new PostgresCluster({
    dataDir: path.join(dir, 'data'),
    synchronousCommit: 'off',
    maxConnections: 300,
  });
  await cluster.start();
  const urls = await cluster.createServiceDatabases();
  return {
    cluster,
    urls,
    async stop() {
      await cluster.stop().catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * One service's database, migrated, with each kit's pool and outbox writer: what a handler test
 * needs (`writer`: the fast kit's; `reference`: the reference kit's).
 */
export interface ServiceDatabase {
  pg: TestPostgres;
  url: string;
  pool: Pool;
  writer: FastEventWriter;
  reference: OutboxWriter;
  stop(): Promise<void>;
}

export async function startServiceDatabase(
  service: DatabaseServiceName,
  options: { maxConnections?: number; journal?: EmittedJournal; recordEmitted?: RecordEmitted } = {},
): Promise<ServiceDatabase> {
  const postgres = await startPostgres();
  const url = postgres.urls[service];
  const pool = createPipelinedPool(url, { max: options.maxConnections ?? 10 });
  const plainPool = createPool(url, { max: options.maxConnections ?? 10 });
  await migrate(pool, [
    kitMigrations(),
    { name: service, directory: path.join(ROOT, 'services', service, 'migrations') },
  ]);
  const writer = new FastEventWriter({
    pool,
    producer: service,
    useOutbox: true,
    journal: options.journal,
    log: pino({ level: 'silent' }),
  });
  const reference = new OutboxWriter({
    pool: plainPool,
    producer: service,
    useOutbox: true,
    recordEmitted: options.recordEmitted,
    log: pino({ level: 'silent' }),
  });
  return {
    pg: postgres,
    url,
    pool,
    writer,
    reference,
    async stop() {
      await Promise.all([pool.end(), plainPool.end()]);
      await postgres.stop();
    },
  };
}

/**
 * One service's database for a whole test file: started before the file's tests (then `ready`
 * receives it) and stopped after them.
 */
export function withServiceDatabase(
  service: DatabaseServiceName,
  options: Parameters<typeof startServiceDatabase>[1],
  ready: (database: ServiceDatabase) => void,
): void {
  let database: ServiceDatabase | undefined;
  beforeAll(async () => {
    database = await startServiceDatabase(service, options);
    ready(database);
  });
  afterAll(async () => {
    await database?.stop();
  });
}

/**
 * Runs `statements` in a transaction of its own on `url`, starts `handle` and commits that
 * transaction only once the handler waits for one of its locks: the handler's statement began
 * before the commit, the interleaving a lock-and-status handler must get right.
 */
export async function committedWhileWaiting<T>(
  url: string,
  statements: Array<[string, unknown[]]>,
  handle: () => Promise<T>,
): Promise<T> {
  const other = new pg.Client({ connectionString: url });
  await other.connect();
  try {
    await other.query('BEGIN');
    for (const [text, params] of statements) await other.query(text, params);
    const handled = handle();
    handled.catch(() => {}); // awaited below; a failure must not go unhandled meanwhile
    await waitFor('the handler to wait for a lock', async () => {
      const { rows } = await other.query('SELECT 1 FROM pg_locks WHERE NOT granted');
      return rows.length > 0;
    });
    await other.query('COMMIT');
    return await handled;
  } finally {
    await other.end();
  }
}

/**
 * A service's handlers in one of their two forms, with the writer of that form's kit: `plain`
 * (the reference kit: handlers.ts) or `fast` (the fast kit: the same with fast-*.ts in place).
 * Handler tests run every case on both: the same inputs must give the same results.
 */
export interface HandlerForm {
  name: 'plain' | 'fast';
  writer: EventWriter;
  handlers: FastHandlerMap;
}

export function handlerForms(
  database: ServiceDatabase,
  plain: HandlerMap,
  fast: FastHandlerMap,
): [HandlerForm, HandlerForm] {
  return [
    { name: 'plain', writer: database.reference, handlers: plain },
    { name: 'fast', writer: database.writer, handlers: withFastForms(plain, fast) },
  ];
}

/** Applies an event as the reference consumer does: the service's record of it, then its handler. */
export function applyPlain(
  writer: EventWriter,
  handler: EventHandler,
  event: IncomingEvent,
  log: Logger,
  recordReceived?: RecordReceived,
): Promise<void> {
  return writer.transaction({ correlationId: event.key ?? event.id, causationId: event.id }, async (tx) => {
    await recordReceived?.(tx.client, event, log);
    await handler(tx, event, log);
  });
}

/**
 * Applies one event with its handler in its own transaction, as the consumer would; answers how
 * many statements the handler sent (the handler tests count them).
 */
export function applyCountingStatements(
  writer: EventWriter,
  handler: EventHandler | SetHandler,
  event: IncomingEvent,
  log: Logger,
): Promise<number> {
  return writer.transaction({ correlationId: event.key ?? event.id, causationId: event.id }, async (tx) => {
    let statements = 0;
    const query = tx.client.query as (...args: unknown[]) => unknown;
    const counting = Object.create(tx.client) as pg.PoolClient;
    counting.query = ((...args: unknown[]) => {
      statements++;
      return query.apply(tx.client, args);
    }) as pg.PoolClient['query'];
    await applyOne(handler, { ...tx, client: counting }, event, log);
    return statements;
  });
}

/**
 * Counts the round trips made through `pool`'s connections: a query sent while none of its
 * connection's is in flight starts one (the connections pipeline, so queries sent together travel
 * together).
 */
export function countRoundTrips(pool: Pool): { readonly count: number } {
  const counter = { count: 0 };
  const connect = pool.connect.bind(pool) as () => Promise<pg.PoolClient>;
  pool.connect = (async () => {
    const client = await connect();
    const counted = client as pg.PoolClient & { labCounted?: boolean };
    if (counted.labCounted) return client;
    counted.labCounted = true;
    let inFlight = 0;
    const send = client.query.bind(client) as (...args: unknown[]) => Promise<unknown>;
    client.query = ((...args: unknown[]) => {
      if (inFlight === 0) counter.count += 1;
      inFlight += 1;
      const answered = send(...args);
      void answered.then(
        () => {
          inFlight -= 1;
        },
        () => {
          inFlight -= 1;
        },
      );
      return answered;
    }) as typeof client.query;
    return client;
  }) as typeof pool.connect;
  return counter;
}

/** Empties every table of a database (between tests), keeping the schema. */
export async function truncateAll(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ name: string }>(
      `SELECT quote_ident(tablename) AS name FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'schema_migrations'`,
    );
    if (rows.length > 0)
      await client.query(`TRUNCATE ${rows.map((row) => row.name).join(', ')} RESTART IDENTITY CASCADE`);
  } finally {
    await client.end();
  }
}

export async function query<T extends pg.QueryResultRow = Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

export interface Proc {
  name: string;
  child: ChildProcess;
  output: string[];
  exited: Promise<number | null>;
}

export function spawnNode(name: string, args: string[], env: Record<string, string>): Proc {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    output.push(chunk.toString());
    if (output.length > 400) output.splice(0, output.length - 400);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { name, child, output, exited };
}

export async function stopProc(proc: Proc | undefined, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill(signal);
  const timer = setTimeout(() => proc.child.kill('SIGKILL'), 15_000);
  await proc.exited;
  clearTimeout(timer);
}

export interface TestBroker {
  port: number;
  bootstrap: string;
  proc: Proc;
  stop(): Promise<void>;
}

export async function startBrokerProcess(): Promise<TestBroker> {
  const port = await allocatePort();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'lab-svc-kafka-'));
  const proc = spawnNode(
    'kafka',
    ['bin/lab', 'infra', 'kafka', '--port', String(port), '--data-dir', dataDir],
    {
      LAB_LOG_LEVEL: 'warn',
    },
  );
  await waitFor(
    'the broker',
    () =>
      new Promise<boolean>((resolve) => {
        const socket = new Socket();
        socket.once('connect', () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
        socket.connect(port, '127.0.0.1');
      }),
    { timeoutMs: 30_000 },
  );
  return {
    port,
    bootstrap: `127.0.0.1:${port}`,
    proc,
    async stop() {
      await stopProc(proc);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
