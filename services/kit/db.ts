/**
 * The database side of every pattern: a plain `pg` pool and one way to run a transaction.
 *
 * The kit's own statements (the outbox insert, the inbox upsert, the relay's claim and mark) run
 * for every event, so they are sent as named statements: PostgreSQL parses and plans each once per
 * connection instead of every time.
 *
 * A failure of the connection itself (refused, broken mid-transaction) surfaces as
 * DatabaseUnavailableError, so callers decide to wait it out from its type, not from a message.
 */
import pg from 'pg';
import { DatabaseUnavailableError } from './retry.ts';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

// int8 (bigint, bigserial, count(*)) as a JS number: cents and counters in the lab stay far below 2^53.
pg.types.setTypeParser(20, (value) => Number.parseInt(value, 10));

export function createPool(
  connectionString: string,
  options: {
    max?: number;
    application?: string | undefined;
    /** Further pg settings (the fast kit's client class and pipeline mode). */
    settings?: pg.PoolConfig;
  } = {},
): Pool {
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    application_name: options.application,
    connectionTimeoutMillis: 5000,
    idleTimeoutMillis: 30_000,
    ...options.settings,
  });
  guardConnections(pool);
  return pool;
}

/**
 * A connection that dies (database crash, a cut link) must not end the process. pg reports it to
 * the query in flight, if any, and then emits `error` on the client; with no listener there, that
 * event throws, even while the client is merely checked out between two statements (the relay
 * waiting for the broker). The query's own failure, or the next query's, is what callers see.
 */
function guardConnections(pool: Pool): void {
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
}

/** A connection from the pool; failing to get one is DatabaseUnavailableError. */
export async function connect(pool: Pool): Promise<PoolClient> {
  try {
    return await pool.connect();
  } catch (error) {
    throw new DatabaseUnavailableError(error);
  }
}

/** Tells whether `client`'s connection broke since the call (pg emits `end` before a query's failure is seen). */
export function watchConnection(client: PoolClient): { lost(): boolean; dispose(): void } {
  let lost = false;
  const onLost = () => {
    lost = true;
  };
  client.on('end', onLost);
  client.on('error', onLost);
  return {
    lost: () => lost,
    dispose() {
      client.off('end', onLost);
      client.off('error', onLost);
    },
  };
}

/**
 * After a failed transaction: ROLLBACK, then the connection goes back to the pool, or is destroyed
 * when the rollback itself fails (a connection in an unknown state must never be reused).
 */
export async function rollbackAndRelease(client: PoolClient): Promise<void> {
  let broken = false;
  await client.query('ROLLBACK').catch(() => {
    broken = true;
  });
  client.release(broken);
}

/** The failure to report for `error`: DatabaseUnavailableError when the connection broke meanwhile. */
export function classifyFailure(error: unknown, connectionLost: boolean): unknown {
  return connectionLost && !(error instanceof DatabaseUnavailableError)
    ? new DatabaseUnavailableError(error)
    : error;
}

/** BEGIN, `work`, COMMIT on one connection; any failure rolls back. */
export async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await connect(pool);
  const connection = watchConnection(client);
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    connection.dispose();
    client.release();
    return result;
  } catch (error) {
    await rollbackAndRelease(client);
    connection.dispose();
    throw classifyFailure(error, connection.lost());
  }
}
