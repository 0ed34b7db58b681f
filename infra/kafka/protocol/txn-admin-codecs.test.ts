import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrokerFixture, startTestBroker } from '../test-support/broker-fixture.ts';
import { throughKafkajs } from '../test-support/kafkajs-codecs.ts';
import type { RequestContext } from './context.ts';
import { createDefaultRegistry } from './requests/index.ts';

let fixture: BrokerFixture;
const registry = createDefaultRegistry();

beforeAll(async () => {
  fixture = await startTestBroker();
  fixture.broker.core.topics.create('codec', 2);
});

afterAll(async () => {
  await fixture.stop();
});

function context(apiKey: number, apiVersion: number): RequestContext {
  return {
    header: { apiKey, apiVersion, correlationId: 1, clientId: 'codec-test', flexible: false },
    listener: fixture.broker.listeners[0] as RequestContext['listener'],
    connection: { id: 1, remoteAddress: '127.0.0.1:50000', clientId: 'codec-test' },
    logger: pino({ level: 'silent' }),
    nodeId: 0,
    clusterId: fixture.broker.clusterId,
    topics: fixture.broker.core.topics,
    coordinator: fixture.broker.core.coordinator,
    broker: fixture.broker.core,
    signal: new AbortController().signal,
  };
}

/** kafkajs request → our decoder, handler, encoder → kafkajs-decoded response */
function call(name: string, version: number, args: object): Promise<Record<string, unknown>> {
  return throughKafkajs(name, version, args, {
    handler: (apiKey, apiVersion) => registry.lookup(apiKey, apiVersion),
    context,
  });
}

describe.each([0, 1])('transaction APIs v%i against kafkajs', (version) => {
  it('InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit, EndTxn', async () => {
    const transactionalId = `codec-txn-${version}`;
    const init = await call('initProducerId', version, { transactionalId, transactionTimeout: 30_000 });
    expect(init).toMatchObject({ errorCode: 0, producerEpoch: 0 });
    const producer = { transactionalId, producerId: init.producerId, producerEpoch: 0 };

    const added = await call('addPartitionsToTxn', version, {
      ...producer,
      topics: [{ topic: 'codec', partitions: [0, 1] }],
    });
    expect(added.errors).toEqual([
      {
        topic: 'codec',
        partitionErrors: [
          { partition: 0, errorCode: 0 },
          { partition: 1, errorCode: 0 },
        ],
      },
    ]);
    expect(await call('addOffsetsToTxn', version, { ...producer, groupId: 'codec-group' })).toMatchObject({
      errorCode: 0,
    });
    const committed = await call('txnOffsetCommit', version, {
      ...producer,
      groupId: 'codec-group',
      topics: [{ topic: 'codec', partitions: [{ partition: 1, offset: '7', metadata: 'm' }] }],
    });
    expect(committed.topics).toEqual([{ topic: 'codec', partitions: [{ partition: 1, errorCode: 0 }] }]);
    expect(await call('endTxn', version, { ...producer, transactionResult: true })).toMatchObject({
      errorCode: 0,
    });
    const log = fixture.broker.core.topics.partition('codec', 1);
    expect(log?.lastStableOffset).toBe(log?.nextOffset);

    const stale = await call('addPartitionsToTxn', version, {
      ...producer,
      producerEpoch: -1,
      topics: [{ topic: 'codec', partitions: [0] }],
    });
    expect(stale.errors).toEqual([{ topic: 'codec', partitionErrors: [{ partition: 0, errorCode: 47 }] }]);
  });
});

describe('admin APIs against kafkajs, every version', () => {
  it.each([0, 1])('CreatePartitions v%i', async (version) => {
    const topic = `codec-grow-${version}`;
    fixture.broker.core.topics.create(topic, 1);
    const grown = await call('createPartitions', version, {
      topicPartitions: [{ topic, count: 2 }],
      validateOnly: false,
      timeout: 1000,
    });
    expect(grown.topicErrors).toEqual([{ topic, errorCode: 0, errorMessage: null }]);
    expect(fixture.broker.core.topics.partitionCount(topic)).toBe(2);
  });

  it.each([0, 1])('DeleteRecords v%i', async (version) => {
    const deleted = await call('deleteRecords', version, {
      topics: [{ topic: 'codec', partitions: [{ partition: 0, offset: '-1' }] }],
      timeout: 1000,
    });
    const log = fixture.broker.core.topics.partition('codec', 0);
    expect(deleted.topics).toEqual([
      {
        topic: 'codec',
        partitions: [{ partition: 0, lowWatermark: BigInt(log?.nextOffset ?? -1), errorCode: 0 }],
      },
    ]);
  });

  it.each([0, 1, 2])('DescribeConfigs v%i', async (version) => {
    const described = (await call('describeConfigs', version, {
      resources: [{ type: 2, name: 'codec', configNames: ['cleanup.policy'] }],
      includeSynonyms: true,
    })) as { resources: Array<{ errorCode: number; configEntries: Array<Record<string, unknown>> }> };
    expect(described.resources[0]?.errorCode).toBe(0);
    expect(described.resources[0]?.configEntries).toEqual([
      expect.objectContaining({ configName: 'cleanup.policy', configValue: 'delete', isDefault: true }),
    ]);
  });

  it.each([0, 1])('AlterConfigs v%i', async (version) => {
    const altered = await call('alterConfigs', version, {
      resources: [{ type: 2, name: 'codec', configEntries: [{ name: 'retention.bytes', value: '1048576' }] }],
      validateOnly: false,
    });
    expect(altered.resources).toEqual([
      { errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'codec' },
    ]);
    expect(fixture.broker.core.topics.partition('codec', 0)?.config.retentionBytes).toBe(1048576);
  });

  it('ListOffsets v0', async () => {
    const listed = await call('listOffsets', 0, {
      replicaId: -1,
      topics: [{ topic: 'codec', partitions: [{ partition: 1, timestamp: -1 }] }],
    });
    const log = fixture.broker.core.topics.partition('codec', 1);
    expect(listed.responses).toEqual([
      { topic: 'codec', partitions: [{ partition: 1, errorCode: 0, offsets: [String(log?.nextOffset)] }] },
    ]);
  });
});
