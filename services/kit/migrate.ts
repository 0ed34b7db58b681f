import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Pool } from './db.ts';

export interface MigrationSource {
  /** Prefix of the recorded version: `kit`, `order`, ... */
  name: string;
  directory: string;
}

// Any constant works; it only has to be the same for every process migrating the same database.
const MIGRATION_LOCK_KEY = 7_316_001;

/**
 * Applies every `*.sql` file of each source, in source order then file-name order, exactly once
 * per database. Each file runs in its own transaction together with its schema_migrations row, so
 * a crash leaves either the whole file applied and recorded or nothing. A session advisory lock
 * serialises processes that start at the same time (two replicas, a restart racing a test).
 * Returns the versions applied by this call.
 */
export async function migrate(pool: Pool, sources: MigrationSource[]): Promise<string[]> {
  const client = await pool.connect();
  const applied: string[] = [];
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(
        'CREATE TABLE IF NOT EXISTS schema_migrations (version text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())',
      );
      const done = new Set(
        (await client.query<{ version: string }>('SELECT version FROM schema_migrations')).rows.map(
          (row) => row.version,
        ),
      );
      for (const source of sources) {
        const files = readdirSync(source.directory)
          .filter((file) => file.endsWith('.sql'))
          .sort();
        for (const file of files) {
          const version = `${source.name}/${file}`;
          if (done.has(version)) continue;
          const sql = readFileSync(path.join(source.directory, file), 'utf8');
          await client.query('BEGIN');
          try {
            await client.query(sql);
            await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version]);
            await client.query('COMMIT');
          } catch (error) {
            await client.query('ROLLBACK');
            throw new Error(`migration ${version} failed: ${(error as Error).message}`, { cause: error });
          }
          applied.push(version);
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
  return applied;
}

/** The kit's own tables (outbox, inbox, dead letters) come before the service's. */
export function kitMigrations(): MigrationSource {
  return { name: 'kit', directory: new URL('./migrations/', import.meta.url).pathname };
}
