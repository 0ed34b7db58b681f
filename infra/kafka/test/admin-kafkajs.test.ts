/**
 * Admin APIs through kafkajs 2.2.4 over TCP (CreatePartitions, DeleteRecords, DescribeConfigs,
 * AlterConfigs, CreateTopics with a manual assignment) and the configs really applied by the
 * log: time and size retention delete whole segments, compaction keeps the latest value per key
 * and drops tombstones after delete.retention.ms.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Admin, ConfigResourceTypes, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignmentProblem } from '../protocol/requests/create-topics/handler.ts';
import { type BrokerFixture, startTestBroker } from '../test-support/broker-fixture.ts';
import { fetchPartition, RawClient, readAll } from '../test-support/raw-client.ts';
import { waitFor } from './groups-support.ts';

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';

let fixture: BrokerFixture;
let kafka: Kafka;
let admin: Admin;
let raw: RawClient;

beforeAll(async () => {
  fixture = await startTestBroker({ logCleanIntervalMs: 100 });
  kafka = new Kafka({ clientId: 'admin-test', brokers: [fixture.bootstrap], logLevel: logLevel.NOTHING });
  admin = kafka.admin();
  await admin.connect();
  raw = await RawClient.connect(fixture.port);
});

afterAll(async () => {
  raw.close();
  await admin.disconnect();
  await fixture.stop();
});

/** Sends each message as its own batch, so segments roll at predictable points. */
async function sendOneByOne(
  topic: string,
  messages: Array<{ key: string; value: string | null; timestamp?: string }>,
): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  try {
    for (const message of messages) await producer.send({ topic, acks: -1, messages: [message] });
  } finally {
    await producer.disconnect();
  }
}

function segmentFiles(topic: string): string[] {
  return readdirSync(join(fixture.dataDir, 'logs', `${topic}-0`)).filter((name) => name.endsWith('.log'));
}

async function earliestOffset(topic: string): Promise<string | undefined> {
  const [partition] = await admin.fetchTopicOffsets(topic);
  return partition?.low;
}

const kib = 'x'.repeat(1024);

/** Creates a topic (broker default partitions) with these topic configs, name to value. */
function createConfiguredTopic(topic: string, configs: Record<string, string>) {
  const configEntries = Object.entries(configs).map(([name, value]) => ({ name, value }));
  return admin.createTopics({ topics: [{ topic, configEntries }] });
}

describe('CreatePartitions', () => {
  it('grows a topic and serves the new partitions at once; refuses shrinking and absent brokers', async () => {
    await admin.createTopics({ topics: [{ topic: 'grow', numPartitions: 1 }] });
    await admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 3 }] });
    const metadata = await admin.fetchTopicMetadata({ topics: ['grow'] });
    expect(metadata.topics[0]?.partitions.map((p) => p.partitionId).sort()).toEqual([0, 1, 2]);

    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: 'grow', messages: [{ value: 'on-2', partition: 2 }] });
    await producer.disconnect();
    const offsets = await admin.fetchTopicOffsets('grow');
    expect(offsets.find((p) => p.partition === 2)?.high).toBe('1');

    await expect(
      admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 2 }] }),
    ).rejects.toMatchObject({
      type: 'INVALID_PARTITIONS',
    });
    await expect(
      admin.createPartitions({ topicPartitions: [{ topic: 'grow', count: 4, assignments: [[1]] }] }),
    ).rejects.toMatchObject({ type: 'INVALID_REPLICA_ASSIGNMENT' });
    await expect(
      admin.createPartitions({ topicPartitions: [{ topic: 'absent', count: 2 }] }),
    ).rejects.toMatchObject({
      type: 'UNKNOWN_TOPIC_OR_PARTITION',
    });
  });
});

describe('CreateTopics with a manual replica assignment', () => {
  it('answers INVALID_REPLICA_ASSIGNMENT naming an absent broker and accepts broker 0 only', async () => {
    const refused = admin.createTopics({
      topics: [{ topic: 'assigned-bad', replicaAssignment: [{ partition: 0, replicas: [0, 1] }] }],
    });
    const error = (await refused.catch((caught: unknown) => caught)) as { errors?: Array<{ type: string }> };
    expect(error.errors?.map((e) => e.type)).toEqual(['INVALID_REPLICA_ASSIGNMENT']);
    // kafkajs drops the error message; the broker's names the absent broker, as KRaft's does
    const manual = {
      numPartitions: -1,
      replicationFactor: -1,
      assignments: [{ partitionIndex: 0, brokerIds: [0, 1] }],
    };
    expect(assignmentProblem(manual, 0)).toEqual([
      39,
      'The manual partition assignment includes broker 1, but no such broker is registered.',
    ]);
    const created = await admin.createTopics({
      topics: [
        {
          topic: 'assigned-good',
          replicaAssignment: [
            { partition: 0, replicas: [0] },
            { partition: 1, replicas: [0] },
          ],
        },
      ],
    });
    expect(created).toBe(true);
    const metadata = await admin.fetchTopicMetadata({ topics: ['assigned-good'] });
    expect(metadata.topics[0]?.partitions).toHaveLength(2);
  });
});

describe('DeleteRecords', () => {
  it('moves the log start offset: earliest follows, fetching below it is OFFSET_OUT_OF_RANGE', async () => {
    await admin.createTopics({ topics: [{ topic: 'trimmed' }] });
    await admin.fetchTopicMetadata({ topics: ['trimmed'] });
    await sendOneByOne(
      'trimmed',
      Array.from({ length: 10 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })),
    );
    await admin.deleteTopicRecords({ topic: 'trimmed', partitions: [{ partition: 0, offset: '4' }] });
    expect(await earliestOffset('trimmed')).toBe('4');
    expect((await fetchPartition(raw, { topic: 'trimmed', partition: 0, offset: 2 })).errorCode).toBe(1);
    expect((await fetchPartition(raw, { topic: 'trimmed', partition: 0, offset: 4 })).errorCode).toBe(0);
    await expect(
      admin.deleteTopicRecords({ topic: 'trimmed', partitions: [{ partition: 0, offset: '11' }] }),
    ).rejects.toThrow();
    await admin.deleteTopicRecords({ topic: 'trimmed', partitions: [{ partition: 0, offset: '-1' }] });
    expect(await earliestOffset('trimmed')).toBe('10');
  });
});

describe('DescribeConfigs / AlterConfigs', () => {
  it('round-trip topic configs with their source; unknown names and bad values are INVALID_CONFIG', async () => {
    await admin.createTopics({ topics: [{ topic: 'configured' }] });
    const describe = async () => {
      const { resources } = await admin.describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: 'configured' }],
      });
      return resources[0]?.configEntries ?? [];
    };
    const before = await describe();
    expect(before.find((c) => c.configName === 'retention.ms')).toMatchObject({
      configValue: String(7 * 24 * 60 * 60 * 1000),
      isDefault: true,
    });
    expect(before.find((c) => c.configName === 'cleanup.policy')?.configValue).toBe('delete');

    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: 'configured',
          configEntries: [
            { name: 'retention.ms', value: '60000' },
            { name: 'cleanup.policy', value: 'compact' },
          ],
        },
      ],
    });
    const after = await describe();
    expect(after.find((c) => c.configName === 'retention.ms')).toMatchObject({
      configValue: '60000',
      isDefault: false,
      configSource: 1,
    });
    expect(fixture.broker.core.topics.partition('configured', 0)?.config.cleanupPolicy).toEqual({
      delete: false,
      compact: true,
    });

    for (const entry of [
      { name: 'no.such.config', value: '1' },
      { name: 'retention.ms', value: 'soon' },
    ]) {
      await expect(
        admin.alterConfigs({
          validateOnly: false,
          resources: [{ type: ConfigResourceTypes.TOPIC, name: 'configured', configEntries: [entry] }],
        }),
      ).rejects.toMatchObject({ type: 'INVALID_CONFIG' });
    }
  });

  it('describes and alters the broker; a broker override becomes the default of every topic', async () => {
    await admin.createTopics({ topics: [{ topic: 'inherits' }] });
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.BROKER,
          name: '0',
          configEntries: [{ name: 'log.retention.bytes', value: '123456' }],
        },
      ],
    });
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        { type: ConfigResourceTypes.BROKER, name: '0' },
        { type: ConfigResourceTypes.TOPIC, name: 'inherits', configNames: ['retention.bytes'] },
      ],
    });
    const broker = resources.find((r) => r.resourceType === ConfigResourceTypes.BROKER);
    expect(broker?.configEntries.find((c) => c.configName === 'log.retention.bytes')?.configValue).toBe(
      '123456',
    );
    const topic = resources.find((r) => r.resourceType === ConfigResourceTypes.TOPIC);
    expect(topic?.configEntries).toEqual([
      expect.objectContaining({ configName: 'retention.bytes', configValue: '123456', configSource: 2 }),
    ]);
    await admin.alterConfigs({
      validateOnly: false,
      resources: [{ type: ConfigResourceTypes.BROKER, name: '0', configEntries: [] }],
    });
  });
});

describe('retention', () => {
  it('by time: removes the segments whose records are older than retention.ms', async () => {
    await createConfiguredTopic('by-time', { 'segment.bytes': '2048' });
    const old = String(Date.now() - 10 * 60_000);
    await sendOneByOne('by-time', [
      ...Array.from({ length: 6 }, (_, i) => ({ key: `old-${i}`, value: kib, timestamp: old })),
      ...Array.from({ length: 4 }, (_, i) => ({ key: `new-${i}`, value: kib })),
    ]);
    expect(segmentFiles('by-time').length).toBeGreaterThanOrEqual(8);
    await admin.alterConfigs({
      validateOnly: false,
      resources: [
        {
          type: ConfigResourceTypes.TOPIC,
          name: 'by-time',
          configEntries: [
            { name: 'segment.bytes', value: '2048' },
            { name: 'retention.ms', value: String(5 * 60_000) },
          ],
        },
      ],
    });
    await waitFor('time retention', async () => (await earliestOffset('by-time')) === '6', 10_000);
    expect((await fetchPartition(raw, { topic: 'by-time', partition: 0, offset: 0 })).errorCode).toBe(1);
    expect(segmentFiles('by-time')).toHaveLength(4);
  });

  it('by size: removes the oldest segments while the partition holds more than retention.bytes', async () => {
    await createConfiguredTopic('by-size', { 'segment.bytes': '2048', 'retention.bytes': String(4 * 1200) });
    await sendOneByOne(
      'by-size',
      Array.from({ length: 12 }, (_, i) => ({ key: `k${i}`, value: kib })),
    );
    const log = fixture.broker.core.topics.partition('by-size', 0);
    // as in Kafka, a segment goes only if what is left still holds retention.bytes
    await waitFor('size retention', () => (log?.logStartOffset ?? 0) >= 7, 10_000);
    expect(log?.size).toBeGreaterThanOrEqual(4 * 1200);
    expect(log?.size).toBeLessThan(4 * 1200 + 2048);
    expect(log?.nextOffset).toBe(12);
    expect(segmentFiles('by-size')).toHaveLength(log?.segmentCount ?? -1);
    expect(String(log?.logStartOffset)).toBe(await earliestOffset('by-size'));
  });
});

describe('compaction', () => {
  it('keeps the latest value per key, then drops tombstones after delete.retention.ms', async () => {
    await createConfiguredTopic('compacted', {
      'cleanup.policy': 'compact',
      'segment.bytes': '512',
      'delete.retention.ms': '4000',
    });
    const keys = ['a', 'b', 'c', 'd'];
    await sendOneByOne('compacted', [
      ...keys.map((key) => ({ key, value: `${key}-1` })),
      ...keys.map((key) => ({ key, value: `${key}-2` })),
      { key: 'a', value: null },
      // fillers: the records above must leave the active segment to be cleaned
      ...Array.from({ length: 12 }, (_, i) => ({ key: `filler-${i}`, value: 'f' })),
    ]);
    const latestOf = (records: Array<{ key: string | null; value: string | null }>) =>
      records.filter((r) => !r.key?.startsWith('filler-')).map((r) => `${r.key}=${r.value}`);

    await waitFor('compaction', async () => latestOf(await readAll(raw, 'compacted', 0)).length === 4, 3000);
    expect(latestOf(await readAll(raw, 'compacted', 0))).toEqual(['b=b-2', 'c=c-2', 'd=d-2', 'a=null']);

    await waitFor(
      'tombstone removal',
      async () => latestOf(await readAll(raw, 'compacted', 0)).length === 3,
      15_000,
    );
    expect(latestOf(await readAll(raw, 'compacted', 0))).toEqual(['b=b-2', 'c=c-2', 'd=d-2']);

    // offsets are kept (gaps, no renumbering) and kafkajs reads across the gaps
    const consumer = kafka.consumer({ groupId: 'compacted-reader', maxWaitTimeInMs: 200 });
    const seen: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic: 'compacted', fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(`${message.offset}:${message.key?.toString()}`);
      },
    });
    await waitFor('kafkajs reads the compacted topic', () => seen.length === 3 + 12, 30_000);
    await consumer.disconnect();
    expect(seen.slice(0, 3)).toEqual(['5:b', '6:c', '7:d']);
  }, 60_000);
});
