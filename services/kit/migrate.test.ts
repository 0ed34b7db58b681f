import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { withKitDatabase } from '../../test/kit-support.ts';
import { query } from '../../test/services-support.ts';
import type { Pool } from './db.ts';
import { migrate } from './migrate.ts';

let url: string;
let pool: Pool;

withKitDatabase({ migrate: false }, (env) => {
  ({ url, pool } = env);
});

describe('migrations', () => {
  it('applies each file once, even with concurrent runners, and records it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lab-mig-'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, '001_a.sql'), 'CREATE TABLE mig_a (id int);');
    writeFileSync(path.join(dir, '002_b.sql'), 'CREATE TABLE mig_b (id int); INSERT INTO mig_a VALUES (1);');
    const sources = [{ name: 'test', directory: dir }];
    const results = await Promise.all([
      migrate(pool, sources),
      migrate(pool, sources),
      migrate(pool, sources),
    ]);
    expect(results.flat().sort()).toEqual(['test/001_a.sql', 'test/002_b.sql']);
    expect(await query(url, 'SELECT count(*)::int AS n FROM mig_a')).toEqual([{ n: 1 }]);
    expect(await migrate(pool, sources)).toEqual([]);
  });

  it('rolls a failing file back completely and stops there', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'lab-mig-'));
    writeFileSync(path.join(dir, '001_ok.sql'), 'CREATE TABLE mig_ok (id int);');
    writeFileSync(
      path.join(dir, '002_bad.sql'),
      'CREATE TABLE mig_half (id int); SELECT no_such_function();',
    );
    writeFileSync(path.join(dir, '003_later.sql'), 'CREATE TABLE mig_later (id int);');
    await expect(migrate(pool, [{ name: 'bad', directory: dir }])).rejects.toThrow(/bad\/002_bad.sql failed/);
    const tables = await query<{ t: string }>(
      url,
      `SELECT tablename AS t FROM pg_tables WHERE tablename LIKE 'mig_%'`,
    );
    expect(tables.map((row) => row.t)).not.toContain('mig_half');
    expect(tables.map((row) => row.t)).not.toContain('mig_later');
    const versions = await query<{ version: string }>(
      url,
      `SELECT version FROM schema_migrations WHERE version LIKE 'bad/%'`,
    );
    expect(versions.map((row) => row.version)).toEqual(['bad/001_ok.sql']);
  });
});
