/**
 * kcat (librdkafka) against a topic with aborted transactions: read_committed shows only the
 * committed records (librdkafka drops the aborted ones using the Fetch aborted-transactions
 * list), read_uncommitted shows everything.
 */
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestBroker, type TestBroker } from './groups-support.ts';
import { inTransaction, transactionalProducer } from './transactions-support.ts';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

let broker: TestBroker;

beforeAll(async () => {
  broker = await startTestBroker();
  const producer = await transactionalProducer(broker.kafka('kcat-txn'), 'kcat-txn');
  try {
    await inTransaction(producer, 'kcat-txn', ['k1', 'k2'], 'commit');
    await inTransaction(producer, 'kcat-txn', ['aborted-1', 'aborted-2'], 'abort');
    await inTransaction(producer, 'kcat-txn', ['k3'], 'commit');
    await inTransaction(producer, 'kcat-txn', ['aborted-3'], 'abort');
  } finally {
    await producer.disconnect();
  }
});

afterAll(async () => {
  await broker.close();
});

const consume = (isolation: string) =>
  execa(
    'kcat',
    [
      '-b',
      broker.bootstrap,
      '-C',
      '-t',
      'kcat-txn',
      '-o',
      'beginning',
      '-e',
      '-q',
      '-X',
      `isolation.level=${isolation}`,
    ],
    { timeout: 60_000, reject: false },
  );

describe('kcat and transactions', () => {
  it('-X isolation.level=read_committed shows only committed records', async () => {
    const consumed = await consume('read_committed');
    expect(consumed.exitCode, consumed.stderr).toBe(0);
    expect(consumed.stdout.split('\n')).toEqual(['k1', 'k2', 'k3']);
  }, 90_000);

  it('-X isolation.level=read_uncommitted shows the aborted records too', async () => {
    const consumed = await consume('read_uncommitted');
    expect(consumed.exitCode, consumed.stderr).toBe(0);
    expect(consumed.stdout.split('\n')).toEqual(['k1', 'k2', 'aborted-1', 'aborted-2', 'k3', 'aborted-3']);
  }, 90_000);
});
