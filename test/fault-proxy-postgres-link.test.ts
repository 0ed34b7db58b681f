/**
 * A `<service>.db` link to a real PostgreSQL: `lab fault add payment.db latency --attr latency=500`
 * slows every query through the link by at least 500 ms; removing the toxic heals it on the same
 * open connection. (With the whole stack up, the same is measured through the HTTP API.)
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FaultClient } from '../cli/faults/client.ts';
import { type FaultProxy, startFaultProxy } from '../infra/fault-proxy/server.ts';
import { portOf } from '../infra/fault-proxy/test-support.ts';
import { PostgresCluster } from '../infra/postgres/cluster.ts';

const LAB = path.resolve(import.meta.dirname, '../bin/lab');

let root: string;
let cluster: PostgresCluster;
let faultProxy: FaultProxy;
let client: pg.Client;

async function timed(sql: string): Promise<number> {
  const start = performance.now();
  await client.query(sql);
  return performance.now() - start;
}

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'lab-fault-pg-'));
  cluster = new PostgresCluster({ dataDir: path.join(root, 'pg') });
  await cluster.start();
  faultProxy = await startFaultProxy({ port: 0 });
  const [link] = await new FaultClient(faultProxy.url).populate([
    { name: 'payment.db', listen: '127.0.0.1:0', upstream: `127.0.0.1:${cluster.port}` },
  ]);
  const url = new URL(cluster.adminUrl());
  url.port = String(portOf(link?.listen ?? ''));
  client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 10_000 });
  client.on('error', () => {});
  await client.connect();
}, 240_000);

afterAll(async () => {
  await client?.end().catch(() => {});
  await faultProxy?.close();
  await cluster?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('<service>.db link', { timeout: 180_000 }, () => {
  it('lab fault add payment.db latency --attr latency=500 slows each query by >= 500 ms', async () => {
    expect(await timed('SELECT 1')).toBeLessThan(400);
    const added = await promisify(execFile)(
      LAB,
      ['fault', 'add', 'payment.db', 'latency', '--attr', 'latency=500'],
      {
        env: { ...process.env, LAB_FAULT_PROXY_URL: faultProxy.url },
      },
    );
    expect(added.stdout).toBe('payment.db: added latency_downstream (latency=500ms, toxicity 1)\n');
    expect(await timed('SELECT 1')).toBeGreaterThanOrEqual(500);
    expect(await timed('SELECT count(*) FROM pg_class')).toBeGreaterThanOrEqual(500);

    await new FaultClient(faultProxy.url).removeToxic('payment.db', 'latency_downstream');
    expect(await timed('SELECT 1')).toBeLessThan(400);
  });
});
