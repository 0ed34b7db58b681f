/**
 * The fast kit's pool: prepared statements, pipelined connections, and the writes of one turn of
 * the event loop sent together. Measurements and the reasons: README.md beside this file.
 */
import type { Writable } from 'node:stream';
import pg from 'pg';
import {
  classifyFailure,
  connect,
  createPool,
  type Pool,
  type PoolClient,
  rollbackAndRelease,
  watchConnection,
} from '../db.ts';

export type { Pool, PoolClient };

/**
 * Statement texts prepared so far (text → name), shared by every connection of the process: a
 * service runs the same few dozen parameterised statements thousands of times, and a prepared one
 * skips PostgreSQL's parse and plan. The cap keeps a query built with varying text (none today)
 * from filling every connection with prepared statements.
 */
const preparedNames = new Map<string, string>();
const MAX_PREPARED_STATEMENTS = 500;

function statementName(text: string): string | undefined {
  let name = preparedNames.get(text);
  if (name === undefined && preparedNames.size < MAX_PREPARED_STATEMENTS) {
    name = `lab_${preparedNames.size + 1}`;
    preparedNames.set(text, name);
  }
  return name;
}

type AnyQuery = (this: pg.Client, config: unknown, values?: unknown, callback?: unknown) => unknown;

const corked = new WeakSet<Writable>();

/**
 * Holds the connection's writes until the current turn of the event loop is done: the statements a
 * transaction pipelines together (BEGIN with the first statement, the outbox insert with COMMIT and
 * the relay's claim) then leave in one write, not one each, and reach the fault proxy and the
 * database as one packet. Under load every write is a system call and a wake-up on the way.
 */
function coalesceWrites(client: pg.Client): void {
  const stream = (client as unknown as { connection?: { stream?: Writable } }).connection?.stream;
  if (!stream || corked.has(stream) || typeof stream.cork !== 'function') return;
  stream.cork();
  corked.add(stream);
  process.nextTick(() => {
    corked.delete(stream);
    stream.uncork();
  });
}

/**
 * A client that sends `query(text, values)` as a named (prepared) statement, and the statements of
 * one turn of the event loop in one write.
 */
class PreparingClient extends pg.Client {}
const plainQuery = pg.Client.prototype.query as AnyQuery;
const preparingQuery: AnyQuery = function (config, values, callback) {
  coalesceWrites(this);
  if (typeof config === 'string' && Array.isArray(values)) {
    const name = statementName(config);
    if (name !== undefined) return plainQuery.call(this, { name, text: config, values }, callback);
  }
  return plainQuery.call(this, config, values, callback);
};
PreparingClient.prototype.query = preparingQuery as typeof pg.Client.prototype.query;

export function createPipelinedPool(
  connectionString: string,
  options: { max?: number; application?: string } = {},
): Pool {
  return createPool(connectionString, {
    ...options,
    // pg's pipeline mode: a statement is sent without waiting for the previous one's answer (each
    // keeps its own Sync). Awaited one by one, statements behave exactly as without it.
    settings: { Client: PreparingClient, pipeline: true },
  });
}

/**
 * Statements sent right after a transaction's COMMIT, on its connection and in the same round trip,
 * by what then takes the connection over (the relay's claim on commit, kit/relay.ts).
 */
export interface HandOver {
  send(client: PoolClient): void;
  /** The COMMIT succeeded: the connection is the hand-over's to release. */
  adopt(client: PoolClient): void;
  /** The transaction failed; its ROLLBACK undoes what `send` began. */
  drop(): void;
}

/**
 * Runs `work` in one transaction on one connection; rolls back on any error. The pool's connections
 * pipeline, so BEGIN travels with the work's first statement, and `lastly`'s statement (the outbox
 * insert) with COMMIT: one round trip each instead of two, and two fewer waits for every saga step.
 * `handOver`, asked once `lastly` has sent its statements, may follow COMMIT in that round trip.
 */
export async function inTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
  lastly?: (client: PoolClient) => Promise<unknown>,
  handOver?: () => HandOver | undefined,
): Promise<T> {
  const client = await connect(pool);
  const connection = watchConnection(client);
  let handedOver = false;
  const begun = client.query('BEGIN');
  // Its failure (a lost connection) is the first statement's failure too; never an unhandled rejection.
  begun.catch(() => {});
  try {
    const result = await work(client);
    await begun;
    const last = lastly?.(client);
    const committed = client.query('COMMIT');
    const next = handOver?.();
    next?.send(client);
    try {
      // COMMIT after a failed statement rolls back without an error: the statement's own result decides.
      await Promise.all([last, committed]);
    } catch (error) {
      next?.drop();
      throw error;
    }
    connection.dispose();
    if (next) {
      handedOver = true;
      next.adopt(client);
    } else client.release();
    return result;
  } catch (error) {
    if (!handedOver) await rollbackAndRelease(client);
    connection.dispose();
    throw classifyFailure(error, connection.lost());
  }
}

/**
 * Waits for every one of `work` to settle, then fails with the first failure that is not merely
 * "current transaction is aborted" (25P02, what the statements after the one at fault answer).
 * Nothing may still be running when the caller rolls back: a statement sent after the ROLLBACK
 * would run on its own, outside the transaction, and commit. For statements pipelined on one
 * connection (a batch's handlers; the relay's mark, COMMIT and next claim).
 */
export async function allOrFirstCause(work: Iterable<Promise<unknown>>): Promise<void> {
  const failures = (await Promise.allSettled(work)).flatMap((result) =>
    result.status === 'rejected' ? [result.reason as unknown] : [],
  );
  if (failures.length === 0) return;
  throw failures.find((error) => (error as { code?: unknown } | null)?.code !== '25P02') ?? failures[0];
}
