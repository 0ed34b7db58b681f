/**
 * Transactions end to end with kafkajs 2.2.4 over TCP: commit and abort seen through both
 * isolation levels, the last stable offset holding read_committed back, a zombie producer
 * fenced, offsets sent with a transaction, and a transaction left open by a SIGKILLed broker
 * aborted on its timeout after the restart.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allocatePort } from '../../ports.ts';
import { tempDataDir } from '../test-support/broker-fixture.ts';
import { startChildBroker } from '../test-support/child-broker.ts';
import { kafkaClient, produce, startTestBroker, type TestBroker } from './groups-support.ts';
import { inTransaction, readTopic, transactionalProducer } from './transactions-support.ts';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

let broker: TestBroker;

beforeAll(async () => {
  broker = await startTestBroker();
});

afterAll(async () => {
  await broker.close();
});

describe('kafkajs transactions', () => {
  it('read_committed sees committed transactions only, read_uncommitted sees every record', async () => {
    const kafka = broker.kafka('txn-visibility');
    const producer = await transactionalProducer(kafka, 'txn-visibility');
    try {
      await inTransaction(producer, 'txn-visibility', ['c1', 'c2'], 'commit');
      await inTransaction(producer, 'txn-visibility', ['a1', 'a2'], 'abort');
      await inTransaction(producer, 'txn-visibility', ['c3'], 'commit');
    } finally {
      await producer.disconnect();
    }
    const committed = await readTopic(kafka, {
      topic: 'txn-visibility',
      readUncommitted: false,
      done: (values) => values.includes('c3'),
    });
    expect(committed).toEqual(['c1', 'c2', 'c3']);
    const everything = await readTopic(kafka, {
      topic: 'txn-visibility',
      readUncommitted: true,
      done: (values) => values.includes('c3'),
    });
    expect(everything).toEqual(['c1', 'c2', 'a1', 'a2', 'c3']);
  }, 90_000);

  it('an open transaction holds read_committed consumers at its first offset until it commits', async () => {
    const kafka = broker.kafka('txn-lso');
    const producer = await transactionalProducer(kafka, 'txn-lso');
    try {
      const transaction = await producer.transaction();
      await transaction.send({ topic: 'txn-lso', messages: [{ value: 'pending' }] });
      await produce(kafka, 'txn-lso', ['plain']);
      const whileOpen = await readTopic(kafka, {
        topic: 'txn-lso',
        readUncommitted: false,
        done: (values) => values.length > 0,
        timeoutMs: 4000,
      });
      expect(whileOpen).toEqual([]);
      const log = broker.broker.core.topics.partition('txn-lso', 0);
      expect(log?.lastStableOffset).toBe(0);
      await transaction.commit();
      expect(log?.lastStableOffset).toBe(log?.nextOffset);
      const afterCommit = await readTopic(kafka, {
        topic: 'txn-lso',
        readUncommitted: false,
        done: (values) => values.length >= 2,
      });
      expect(afterCommit).toEqual(['pending', 'plain']);
    } finally {
      await producer.disconnect();
    }
  }, 90_000);

  it('fences a zombie: the older producer can neither send nor commit once a newer one started', async () => {
    const kafka = broker.kafka('txn-zombie');
    const zombie = await transactionalProducer(kafka, 'txn-zombie');
    const successor = kafka.producer({
      transactionalId: 'txn-zombie',
      idempotent: true,
      maxInFlightRequests: 1,
    });
    try {
      const stale = await zombie.transaction();
      await stale.send({ topic: 'txn-zombie', messages: [{ value: 'zombie-1' }] });
      await successor.connect();
      // kafkajs sends InitProducerId (which bumps the epoch) when the first transaction starts
      const current = await successor.transaction();
      await expect(
        stale.send({ topic: 'txn-zombie', messages: [{ value: 'zombie-2' }] }),
      ).rejects.toMatchObject({
        type: 'INVALID_PRODUCER_EPOCH',
      });
      await expect(stale.commit()).rejects.toMatchObject({ type: 'INVALID_PRODUCER_EPOCH' });
      await current.send({ topic: 'txn-zombie', messages: [{ value: 'successor' }] });
      await current.commit();
    } finally {
      await zombie.disconnect();
      await successor.disconnect();
    }
    const committed = await readTopic(kafka, {
      topic: 'txn-zombie',
      readUncommitted: false,
      done: (values) => values.includes('successor'),
    });
    expect(committed).toEqual(['successor']);
  }, 90_000);

  it('sendOffsets commits the group offsets only when the transaction commits', async () => {
    const kafka = broker.kafka('txn-offsets');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'txn-offsets-in' }] });
    const producer = await transactionalProducer(kafka, 'txn-offsets');
    const committedOffset = async (): Promise<string | undefined> => {
      const [topic] = await admin.fetchOffsets({ groupId: 'txn-offsets-group', topics: ['txn-offsets-in'] });
      return topic?.partitions[0]?.offset;
    };
    try {
      const aborted = await producer.transaction();
      await aborted.send({ topic: 'txn-offsets-out', messages: [{ value: 'x' }] });
      await aborted.sendOffsets({
        consumerGroupId: 'txn-offsets-group',
        topics: [{ topic: 'txn-offsets-in', partitions: [{ partition: 0, offset: '3' }] }],
      });
      await aborted.abort();
      expect(await committedOffset()).toBe('-1');

      const committed = await producer.transaction();
      await committed.send({ topic: 'txn-offsets-out', messages: [{ value: 'y' }] });
      await committed.sendOffsets({
        consumerGroupId: 'txn-offsets-group',
        topics: [{ topic: 'txn-offsets-in', partitions: [{ partition: 0, offset: '5' }] }],
      });
      expect(await committedOffset()).toBe('-1');
      await committed.commit();
      expect(await committedOffset()).toBe('5');
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  }, 90_000);
});

describe('a broker killed mid-transaction', () => {
  const dataDir = tempDataDir();
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('aborts the open transaction on its timeout after the restart; read_committed moves past it', async () => {
    const port = await allocatePort();
    const bootstrap = `127.0.0.1:${port}`;
    const kafka = kafkaClient(bootstrap, 'txn-killed');
    let child = await startChildBroker({ port, dataDir });
    try {
      const producer = await transactionalProducer(kafka, 'txn-killed', 4000);
      await inTransaction(producer, 'txn-killed', ['before'], 'commit');
      const open = await producer.transaction();
      await open.send({ topic: 'txn-killed', messages: [{ value: 'doomed' }] });
      child.process.kill('SIGKILL');
      await child.exited;
      await producer.disconnect().catch(() => undefined);

      child = await startChildBroker({ port, dataDir });
      await produce(kafka, 'txn-killed', ['after']);
      const values = await readTopic(kafka, {
        topic: 'txn-killed',
        readUncommitted: false,
        done: (seen) => seen.includes('after'),
      });
      expect(values).toEqual(['before', 'after']);
      const everything = await readTopic(kafka, {
        topic: 'txn-killed',
        readUncommitted: true,
        done: (seen) => seen.includes('after'),
      });
      expect(everything).toEqual(['before', 'doomed', 'after']);
    } finally {
      child.process.kill('SIGTERM');
      await child.exited;
    }
  }, 120_000);
});
