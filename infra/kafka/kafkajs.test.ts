/** The broker against kafkajs 2.2.4: admin, producer (acks, gzip, idempotence), consumer. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CompressionTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrokerFixture, startTestBroker } from './test-support/broker-fixture.ts';
import { startLossyProxy } from './test-support/lossy-proxy.ts';
import { RawClient, readAll } from './test-support/raw-client.ts';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

let fixture: BrokerFixture;
let kafka: Kafka;
let raw: RawClient;

beforeAll(async () => {
  fixture = await startTestBroker();
  kafka = new Kafka({ clientId: 'lab-test', brokers: [fixture.bootstrap], logLevel: logLevel.NOTHING });
  raw = await RawClient.connect(fixture.port);
});

afterAll(async () => {
  raw.close();
  await fixture.stop();
});

async function until<T>(probe: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('admin', () => {
  it('creates, describes, counts and deletes topics', async () => {
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.createTopics({ topics: [{ topic: 'admin-a', numPartitions: 3 }] })).toBe(true);
      expect(await admin.createTopics({ topics: [{ topic: 'admin-a', numPartitions: 3 }] })).toBe(false);
      await admin.createTopics({
        validateOnly: true,
        waitForLeaders: false,
        topics: [{ topic: 'admin-dry' }],
      });
      expect(await admin.listTopics()).not.toContain('admin-dry');

      const metadata = await admin.fetchTopicMetadata({ topics: ['admin-a'] });
      expect(metadata.topics[0]?.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);
      expect(metadata.topics[0]?.partitions.every((p) => p.leader === 0)).toBe(true);

      const producer = kafka.producer();
      await producer.connect();
      await producer.send({
        topic: 'admin-a',
        messages: [
          { value: 'x', partition: 1 },
          { value: 'y', partition: 1 },
        ],
      });
      await producer.disconnect();
      const offsets = await admin.fetchTopicOffsets('admin-a');
      expect(offsets.find((o) => o.partition === 1)).toMatchObject({ offset: '2', high: '2', low: '0' });
      expect(offsets.find((o) => o.partition === 0)).toMatchObject({ offset: '0', high: '0', low: '0' });

      await admin.deleteTopics({ topics: ['admin-a'] });
      expect(await admin.listTopics()).not.toContain('admin-a');
      expect(readdirSync(join(fixture.dataDir, 'logs')).filter((name) => name.startsWith('admin-a'))).toEqual(
        [],
      );
      // a topic created again under the same name starts empty
      await admin.createTopics({ topics: [{ topic: 'admin-a', numPartitions: 2 }] });
      expect(await admin.fetchTopicOffsets('admin-a')).toEqual([
        { partition: 0, offset: '0', high: '0', low: '0' },
        { partition: 1, offset: '0', high: '0', low: '0' },
      ]);
    } finally {
      await admin.disconnect();
    }
  });

  it('finds offsets by timestamp', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const producer = kafka.producer();
    await producer.connect();
    try {
      await admin.createTopics({ topics: [{ topic: 'by-time' }] });
      const base = Date.now() - 60_000;
      await producer.send({
        topic: 'by-time',
        messages: [0, 1, 2, 3].map((i) => ({ value: `m${i}`, timestamp: String(base + i * 1000) })),
      });
      const [at] = await admin.fetchTopicOffsetsByTimestamp('by-time', base + 1500);
      expect(at).toMatchObject({ partition: 0, offset: '2' });
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  });
});

describe('producer', () => {
  it.each([
    { acks: -1, compression: CompressionTypes.None, topic: 'acks-all' },
    { acks: 1, compression: CompressionTypes.None, topic: 'acks-one' },
    { acks: 0, compression: CompressionTypes.None, topic: 'acks-zero' },
    { acks: -1, compression: CompressionTypes.GZIP, topic: 'gzip' },
  ])(
    'acks=$acks compression=$compression: every message lands once, in order',
    async ({ acks, compression, topic }) => {
      const producer = kafka.producer({ allowAutoTopicCreation: true });
      await producer.connect();
      try {
        for (let round = 0; round < 5; round++) {
          await producer.send({
            topic,
            acks,
            compression,
            messages: Array.from({ length: 20 }, (_, i) => ({
              key: `k${round}`,
              value: `v${round * 20 + i}`,
              partition: 0,
            })),
          });
        }
      } finally {
        await producer.disconnect();
      }
      const records = await until(
        () => readAll(raw, topic, 0),
        (all) => all.length >= 100,
      );
      expect(records.map((r) => r.value)).toEqual(Array.from({ length: 100 }, (_, i) => `v${i}`));
      expect(records.map((r) => r.offset)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    },
  );

  it('refuses a message above 1 MiB with MESSAGE_TOO_LARGE', async () => {
    const producer = kafka.producer({ allowAutoTopicCreation: true, retry: { retries: 0 } });
    await producer.connect();
    try {
      await producer.send({ topic: 'small', messages: [{ value: 'fine' }] });
      await expect(
        producer.send({ topic: 'small', messages: [{ value: Buffer.alloc(1_100_000, 7) }] }),
      ).rejects.toMatchObject({ type: 'MESSAGE_TOO_LARGE' });
    } finally {
      await producer.disconnect();
    }
  });

  it('idempotent producer: a batch retried after a lost response is appended once', async () => {
    // the broker's second listener advertises the proxy, so kafkajs stays behind it after metadata
    const proxied = await startTestBroker({ listeners: [{ port: 0 }] });
    const listenerPort = (proxied.broker.listeners[1] as { port: number }).port;
    const proxy = await startLossyProxy({ targetPort: listenerPort, dropProduceResponses: 2 });
    await proxied.broker.close();
    const broker = await startTestBroker({
      dataDir: proxied.dataDir,
      listeners: [{ port: listenerPort, advertisedHost: '127.0.0.1', advertisedPort: proxy.port }],
    });
    const client = new Kafka({
      clientId: 'lossy',
      brokers: [`127.0.0.1:${proxy.port}`],
      logLevel: logLevel.NOTHING,
      retry: { initialRetryTime: 50, retries: 10 },
    });
    const producer = client.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: true,
    });
    const direct = await RawClient.connect(broker.port);
    try {
      await producer.connect();
      for (let i = 0; i < 20; i++) {
        await producer.send({
          topic: 'idempotent',
          acks: -1,
          messages: [
            { key: 'k', value: `m${i}` },
            { key: 'k', value: `n${i}` },
          ],
        });
      }
      expect(proxy.dropped()).toBe(2);
      const records = await readAll(direct, 'idempotent', 0);
      expect(records.map((r) => r.value)).toEqual(
        Array.from({ length: 20 }, (_, i) => [`m${i}`, `n${i}`]).flat(),
      );
    } finally {
      direct.close();
      await producer.disconnect();
      await proxy.close();
      await broker.stop();
    }
  }, 60_000);
});

describe('consumer', () => {
  it('reads back what was produced (consumer group, from the beginning)', async () => {
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    await producer.connect();
    await producer.send({
      topic: 'consume-me',
      messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i % 3}`, value: `c${i}` })),
    });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: 'broker-test', maxWaitTimeInMs: 200 });
    await consumer.connect();
    const seen: string[] = [];
    try {
      await consumer.subscribe({ topic: 'consume-me', fromBeginning: true });
      const done = new Promise<void>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) => {
            seen.push(message.value?.toString() ?? '');
            if (seen.length === 30) resolve();
          },
        });
      });
      await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 30_000))]);
    } finally {
      await consumer.disconnect();
    }
    expect(seen.sort()).toEqual(Array.from({ length: 30 }, (_, i) => `c${i}`).sort());
  }, 45_000);
});
