import { describe, expect, it } from 'vitest';
import {
  DatabaseUnavailableError,
  isTransientDatabaseError,
  RetriableError,
  retry,
  retryDelay,
} from './retry.ts';

const quick = { initialRetryTime: 1, maxRetryTime: 4 };

/** Work that throws `failure(call)` on every call (numbered from 1), counting its calls. */
function failingWork(failure: (call: number) => Error) {
  const work = {
    calls: 0,
    run: async (): Promise<never> => {
      work.calls += 1;
      throw failure(work.calls);
    },
  };
  return work;
}

describe('retry', () => {
  it('tries again until the work succeeds, and answers its result', async () => {
    let calls = 0;
    const result = await retry(
      async (attempt) => {
        calls += 1;
        if (attempt < 3) throw new Error('not yet');
        return 'done';
      },
      { ...quick, retries: 5 },
    );
    expect(result).toBe('done');
    expect(calls).toBe(3);
  });

  it('gives up after `retries` retries with the last error', async () => {
    const work = failingWork((call) => new Error(`failure ${call}`));
    await expect(retry(work.run, { ...quick, retries: 2 })).rejects.toThrow('failure 3');
    expect(work.calls).toBe(3);
  });

  it('fails at once on an error that is not retriable', async () => {
    const work = failingWork(() => new Error('constraint'));
    const retriable = (error: unknown) => error instanceof RetriableError;
    await expect(retry(work.run, { ...quick, retries: 5, retriable })).rejects.toThrow('constraint');
    expect(work.calls).toBe(1);
  });

  it('waits out failures that spend no retry, then still counts the others', async () => {
    const work = failingWork((call) =>
      call <= 4 ? new DatabaseUnavailableError(new Error('down')) : new Error('bug'),
    );
    const outcome = retry(work.run, { ...quick, retries: 1, waitOut: isTransientDatabaseError });
    await expect(outcome).rejects.toThrow('bug');
    // four waited out, then the first counted failure and its one retry
    expect(work.calls).toBe(6);
  });

  it('stops retrying once the caller is stopping', async () => {
    let stopping = false;
    const work = failingWork(() => {
      stopping = true;
      return new Error('down');
    });
    await expect(retry(work.run, { ...quick, retries: Infinity, stopped: () => stopping })).rejects.toThrow(
      'down',
    );
    expect(work.calls).toBe(1);
  });

  it('backs off exponentially up to the maximum, within the jitter', () => {
    const policy = { retries: 10, initialRetryTime: 100, maxRetryTime: 1000, factor: 0.2 };
    expect(retryDelay(policy, 1, () => 0.5)).toBe(100);
    expect(retryDelay(policy, 3, () => 0.5)).toBe(400);
    expect(retryDelay(policy, 9, () => 0.5)).toBe(1000);
    expect(retryDelay(policy, 1, () => 0)).toBe(80);
    expect(retryDelay(policy, 1, () => 1)).toBe(120);
  });
});

describe('transient database errors, by SQLSTATE', () => {
  const withCode = (code: string) => Object.assign(new Error('whatever the text says'), { code });

  it.each([
    '40001',
    '40P01',
    '55P03',
    '57P01',
    '57P02',
    '57P03',
    '08006',
    '08001',
    '53300',
    '53100',
    'ECONNREFUSED',
    'ECONNRESET',
  ])('%s is transient', (code) => {
    expect(isTransientDatabaseError(withCode(code))).toBe(true);
  });

  it.each(['23505', '23503', '22P02', '42P01', '57014', '25P02'])('%s is not', (code) => {
    expect(isTransientDatabaseError(withCode(code))).toBe(false);
  });

  it('a lost connection is transient by its type; a message alone decides nothing', () => {
    expect(isTransientDatabaseError(new DatabaseUnavailableError(new Error('x')))).toBe(true);
    expect(isTransientDatabaseError(new Error('Connection terminated unexpectedly'))).toBe(false);
    expect(isTransientDatabaseError(new TypeError('undefined is not a function'))).toBe(false);
  });
});
