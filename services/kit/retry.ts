/**
 * One retry policy for the whole kit, after kafkajs' `retry`: exponential backoff with jitter,
 * a bounded number of retries (or none for work that must be waited out), and errors that say
 * whether retrying them can help.
 *
 * A database error is transient by its SQLSTATE, never by its message: the server, or the path to
 * it, is failing (connection lost or refused, shutdown, too many connections, a deadlock or
 * serialization victim), so the same work can succeed later. Anything else (a constraint, a bug,
 * a malformed event) fails the same way every time.
 */
import { setTimeout as sleep } from 'node:timers/promises';

/** An error whose operation may succeed if simply tried again (kafkajs' `retriable`). */
export class RetriableError extends Error {
  override name = 'RetriableError';
  readonly retriable = true;
}

/** The database could not be reached, or the connection broke during the work. */
export class DatabaseUnavailableError extends RetriableError {
  override name = 'DatabaseUnavailableError';
  constructor(cause: unknown) {
    super(`database unavailable: ${(cause as Error | null)?.message ?? String(cause)}`, { cause });
  }
}

/** Classes (first two characters) whose every SQLSTATE is transient. */
const TRANSIENT_CLASSES = new Set([
  '08', // connection exception
  '53', // insufficient resources (53300 too_many_connections, 53100 disk_full, ...)
  '58', // system error (I/O)
]);
const TRANSIENT_SQLSTATES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now
]);
/** Node's socket errors on the way to the database. */
const TRANSIENT_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

export function isTransientDatabaseError(error: unknown): boolean {
  if (error instanceof RetriableError) return true;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return (
    TRANSIENT_SQLSTATES.has(code) ||
    TRANSIENT_CLASSES.has(code.slice(0, 2)) ||
    TRANSIENT_SOCKET_CODES.has(code)
  );
}

export interface RetryPolicy {
  /** Retries after the first attempt; Infinity for work that must be waited out. */
  retries: number;
  initialRetryTime: number;
  maxRetryTime: number;
  /** Growth of the delay per retry. */
  multiplier?: number;
  /** Jitter: the delay is drawn within ± this fraction, so many waiters do not retry in step. */
  factor?: number;
}

export interface RetryOptions extends RetryPolicy {
  /** False: fail at once (default: every error is worth another attempt). */
  retriable?: (error: unknown) => boolean;
  /** Failures that spend no retry (waited out without limit): the work is fine, the world is not. */
  waitOut?: (error: unknown) => boolean;
  /** True: give up now with the last error (the caller is stopping). */
  stopped?: () => boolean;
  onRetry?: (failure: { error: unknown; attempt: number; delayMs: number }) => void;
}

export function retryDelay(
  policy: RetryPolicy,
  failures: number,
  random: () => number = Math.random,
): number {
  const { initialRetryTime, maxRetryTime, multiplier = 2, factor = 0.2 } = policy;
  const base = Math.min(maxRetryTime, initialRetryTime * multiplier ** Math.max(0, failures - 1));
  return Math.round(base * (1 - factor + 2 * factor * random()));
}

/** Runs `work` until it succeeds, a failure is not retriable, the retries are spent, or `stopped()`. */
export async function retry<T>(work: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { retriable = () => true, waitOut = () => false, stopped = () => false } = options;
  let counted = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return await work(attempt);
    } catch (error) {
      const free = waitOut(error);
      if (!free) counted += 1;
      if (stopped() || (!free && (!retriable(error) || counted > options.retries))) throw error;
      const delayMs = retryDelay(options, attempt);
      options.onRetry?.({ error, attempt, delayMs });
      await sleep(delayMs);
    }
  }
}

/** Connections, startup steps, the relay: tried again without limit, backing off up to 5 s. */
export const UNTIL_IT_WORKS: RetryPolicy = { retries: Infinity, initialRetryTime: 100, maxRetryTime: 5000 };
