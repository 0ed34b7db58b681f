import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_SERVICES } from '../../common/roster.ts';
import { locatePostgres, requirePostgres } from './binaries.ts';
import { PostgresCluster } from './cluster.ts';
import { readPostmasterLock } from './leftovers.ts';

async function query(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2)[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

describe('PostgreSQL binaries', () => {
  it('finds initdb/pg_ctl/postgres and their version', () => {
    const found = requirePostgres();
    expect(statSync(path.join(found.binDir, 'initdb')).isFile()).toBe(true);
    expect(found.version).toMatch(/^\d+\.\d+/);
  });

  it('takes LAB_PG_BIN as the only place to look, and says E_NO_POSTGRES with the fix when empty', () => {
    expect(locatePostgres({ LAB_PG_BIN: '/nonexistent', PATH: process.env.PATH })).toBeUndefined();
    try {
      requirePostgres({ LAB_PG_BIN: '/nonexistent' });
      expect.unreachable();
    } catch (error) {
      const labError = error as { code: string; exitCode: number; hint: string };
      expect(labError.code).toBe('E_NO_POSTGRES');
      expect(labError.exitCode).toBe(3);
      expect(labError.hint).toContain('apt-get install postgresql');
      expect(labError.hint).toContain('LAB_PG_BIN');
      expect(labError.hint).toContain('--runtime docker');
    }
  });
});

describe('PostgresCluster', () => {
  let root: string;
  let cluster: PostgresCluster;

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'lab-pg-'));
    cluster = new PostgresCluster({ dataDir: path.join(root, 'pg') });
    await cluster.start();
  });

  afterAll(async () => {
    await cluster?.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('runs on 127.0.0.1 with the socket in the data dir and the lab settings', async () => {
    const result = await query(
      cluster.adminUrl(),
      "SELECT current_setting('listen_addresses') AS listen, current_setting('unix_socket_directories') AS socket, current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS sync, current_setting('max_connections') AS max, current_setting('autovacuum_naptime') AS naptime",
    );
    expect(result.rows[0]).toEqual({
      listen: '127.0.0.1',
      socket: cluster.dataDir,
      fsync: 'on',
      sync: 'on',
      max: '200',
      naptime: '5s',
    });
  });

  it('passes synchronous_commit to the postmaster when asked', () => {
    const fast = new PostgresCluster({
      dataDir: path.join(root, 'other'),
      port: 5999,
      synchronousCommit: 'off',
    });
    expect(fast.launch().args.join(' ')).toContain('synchronous_commit=off');
  });

  it('keeps its credentials in a 0600 file', () => {
    const mode = statSync(path.join(cluster.dataDir, 'lab-credentials.json')).mode & 0o777;
    expect(mode).toBe(0o600);
  });

  it('creates one database and role per service; roles log in with their password, only to their own database', async () => {
    const urls = await cluster.createServiceDatabases();
    expect(Object.keys(urls).sort()).toEqual([...DATABASE_SERVICES].sort());
    for (const service of DATABASE_SERVICES) {
      const result = await query(urls[service], 'SELECT current_user AS user, current_database() AS db');
      expect(result.rows[0]).toEqual({ user: service, db: service });
    }
    const wrongDatabase = new URL(urls.payment);
    wrongDatabase.pathname = '/order';
    await expect(query(wrongDatabase.toString(), 'SELECT 1')).rejects.toThrow(
      /permission denied for database/,
    );
    const wrongPassword = new URL(urls.payment);
    wrongPassword.password = 'nope';
    await expect(query(wrongPassword.toString(), 'SELECT 1')).rejects.toThrow(
      /password authentication failed/,
    );
    // Idempotent: a second call keeps the same passwords.
    expect(await cluster.createServiceDatabases()).toEqual(urls);
  });

  it('keeps data across stop and start', async () => {
    await query(
      cluster.connectionUrl('order'),
      'CREATE TABLE kept (n int); INSERT INTO kept VALUES (1), (2)',
    );
    await cluster.stop();
    expect(cluster.running).toBe(false);
    await cluster.start();
    const result = await query(cluster.connectionUrl('order'), 'SELECT sum(n)::int AS total FROM kept');
    expect(result.rows[0].total).toBe(3);
  });

  it('recovers after the postmaster is SIGKILLed (stale lock, leftover backends)', async () => {
    // A frozen backend cannot notice its postmaster died: it keeps the old shared memory attached,
    // which makes a plain restart fail with "pre-existing shared memory block is still in use".
    const held = new pg.Client({ connectionString: cluster.connectionUrl('order') });
    held.on('error', () => {});
    await held.connect();
    const backend = (await held.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
    await query(cluster.connectionUrl('order'), 'INSERT INTO kept VALUES (4)');
    const lock = readPostmasterLock(cluster.dataDir);
    expect(lock).toBeDefined();
    process.kill(backend, 'SIGSTOP');
    process.kill(lock!.pid, 'SIGKILL');
    while (isAlive(lock!.pid)) await sleep(20);
    expect(isAlive(backend)).toBe(true);
    await cluster.start();
    expect(isAlive(backend)).toBe(false);
    expect(cluster.running).toBe(true);
    const result = await query(cluster.connectionUrl('order'), 'SELECT sum(n)::int AS total FROM kept');
    expect(result.rows[0].total).toBe(7);
    await held.end().catch(() => {});
  });
});
