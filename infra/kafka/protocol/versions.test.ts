/**
 * The newer and older API versions over raw TCP, field by field: Metadata v7-v9 (v9 flexible:
 * compact strings and arrays, tagged fields, request header v2 / response header v1),
 * ListOffsets v0, Produce v8 and Fetch v12 (flexible, with read_committed's aborted list).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrokerFixture, startTestBroker } from '../test-support/broker-fixture.ts';
import { RawClient } from '../test-support/raw-client.ts';
import { ApiKey, ErrorCode } from './api-keys.ts';
import { encodeBatch, splitBatches } from './records.ts';

let fixture: BrokerFixture;
let raw: RawClient;

beforeAll(async () => {
  fixture = await startTestBroker();
  raw = await RawClient.connect(fixture.port);
  fixture.broker.core.topics.create('versions', 2);
});

afterAll(async () => {
  raw.close();
  await fixture.stop();
});

const OMITTED = -2147483648;

describe('Metadata', () => {
  it('v9 (flexible) answers brokers, cluster, topics with leader epochs and omitted authorized operations', async () => {
    const reader = await raw.send(
      ApiKey.Metadata,
      9,
      (w) => {
        w.compactArray(['versions'], (tw, name) => {
          tw.compactString(name).taggedFields();
        });
        w.boolean(false).boolean(false).boolean(false).taggedFields();
      },
      true,
    ).response;
    expect(reader.taggedFields().size).toBe(0); // response header v1
    expect(reader.int32()).toBe(0); // throttle
    const brokers = reader.compactArray((b) => {
      const broker = {
        nodeId: b.int32(),
        host: b.compactString(),
        port: b.int32(),
        rack: b.compactNullableString(),
      };
      b.taggedFields();
      return broker;
    });
    expect(brokers).toEqual([{ nodeId: 0, host: '127.0.0.1', port: fixture.port, rack: null }]);
    expect(reader.compactNullableString()).toBe(fixture.broker.clusterId);
    expect(reader.int32()).toBe(0); // controller
    const topics = reader.compactArray((t) => {
      const topic = {
        errorCode: t.int16(),
        name: t.compactString(),
        isInternal: t.boolean(),
        partitions: t.compactArray((p) => {
          const partition = [
            p.int16(),
            p.int32(),
            p.int32(),
            p.int32(),
            p.compactArray((n) => n.int32()),
            p.compactArray((n) => n.int32()),
            p.compactArray((n) => n.int32()),
          ];
          p.taggedFields();
          return partition;
        }),
        authorizedOperations: t.int32(),
      };
      t.taggedFields();
      return topic;
    });
    expect(topics).toEqual([
      {
        errorCode: 0,
        name: 'versions',
        isInternal: false,
        partitions: [
          [0, 0, 0, 0, [0], [0], []],
          [0, 1, 0, 0, [0], [0], []],
        ],
        authorizedOperations: OMITTED,
      },
    ]);
    expect(reader.int32()).toBe(OMITTED);
    expect(reader.taggedFields().size).toBe(0);
    expect(reader.remaining).toBe(0);
  });

  it('v8 adds authorized operations to v7, which adds the leader epoch', async () => {
    const reader = await raw.request(ApiKey.Metadata, 8, (w) => {
      w.array(['versions'], (tw, name) => tw.string(name));
      w.boolean(false).boolean(true).boolean(true);
    });
    reader.int32();
    reader.array((b) => [b.int32(), b.string(), b.int32(), b.nullableString()]);
    reader.nullableString();
    reader.int32();
    const [topic] = reader.array((t) => ({
      errorCode: t.int16(),
      name: t.string(),
      internal: t.boolean(),
      partitions: t.array((p) => [
        p.int16(),
        p.int32(),
        p.int32(),
        p.int32(),
        p.array((n) => n.int32()),
        p.array((n) => n.int32()),
        p.array((n) => n.int32()),
      ]),
      authorizedOperations: t.int32(),
    }));
    expect(topic?.partitions[1]).toEqual([0, 1, 0, 0, [0], [0], []]);
    expect(topic?.authorizedOperations).toBe(OMITTED);
    expect(reader.int32()).toBe(OMITTED);
    expect(reader.remaining).toBe(0);
  });
});

describe('ListOffsets v0', () => {
  it('answers old-style offset lists: latest and earliest, empty for max_num_offsets 0', async () => {
    const log = fixture.broker.core.topics.partition('versions', 0);
    log?.append(encodeBatch({ records: [{ value: 'a' }, { value: 'b' }] }));
    const reader = await raw.request(ApiKey.ListOffsets, 0, (w) => {
      w.int32(-1).array(['versions'], (tw, name) => {
        tw.string(name).array(
          [
            [0, -1, 1],
            [1, -2, 1],
            [0, -1, 0],
          ],
          (pw, [partition, timestamp, max]) =>
            pw
              .int32(partition as number)
              .int64(timestamp as number)
              .int32(max as number),
        );
      });
    });
    const [topic] = reader.array((t) => ({
      name: t.string(),
      partitions: t.array((p) => [p.int32(), p.int16(), p.array((o) => o.int64Number())]),
    }));
    expect(topic).toEqual({
      name: 'versions',
      partitions: [
        [0, ErrorCode.NONE, [2]],
        [1, ErrorCode.NONE, [0]],
        [0, ErrorCode.NONE, []],
      ],
    });
  });
});

describe('Produce v8', () => {
  it('adds record_errors and error_message to every partition', async () => {
    const reader = await raw.request(ApiKey.Produce, 8, (w) => {
      w.nullableString(null).int16(-1).int32(1000);
      w.array(['versions'], (tw, name) => {
        tw.string(name).array([1], (pw, partition) => {
          pw.int32(partition).nullableBytes(encodeBatch({ records: [{ value: 'v8' }] }));
        });
      });
    });
    const [topic] = reader.array((t) => ({
      name: t.string(),
      partitions: t.array((p) => ({
        index: p.int32(),
        errorCode: p.int16(),
        baseOffset: p.int64Number(),
        logAppendTime: p.int64Number(),
        logStartOffset: p.int64Number(),
        recordErrors: p.array((e) => [e.int32(), e.nullableString()]),
        errorMessage: p.nullableString(),
      })),
    }));
    expect(topic?.partitions).toEqual([
      {
        index: 1,
        errorCode: 0,
        baseOffset: 0,
        logAppendTime: -1,
        logStartOffset: 0,
        recordErrors: [],
        errorMessage: null,
      },
    ]);
    expect(reader.int32()).toBe(0);
  });
});

describe('Fetch v12', () => {
  it('(flexible) answers read_committed with the LSO and the aborted transactions of the range', async () => {
    const { core } = fixture.broker;
    core.topics.create('fetch12', 1);
    const { producerId } = core.transactions.initProducerId('fetch12-txn', 60_000);
    const producer = { transactionalId: 'fetch12-txn', producerId, producerEpoch: 0 };
    const log = core.topics.partition('fetch12', 0);
    const sendInTransaction = (value: string, baseSequence: number) => {
      core.transactions.addPartitions(producer, [{ topic: 'fetch12', partition: 0 }]);
      log?.append(
        encodeBatch({
          records: [{ value }],
          producerId,
          producerEpoch: 0,
          baseSequence,
          transactional: true,
        }),
      );
    };
    sendInTransaction('aborted', 0); // offset 0, abort marker at 1
    core.transactions.endTransaction(producer, false);
    sendInTransaction('open', 1); // offset 2, still open

    const reader = await raw.send(
      ApiKey.Fetch,
      12,
      (w) => {
        w.int32(-1)
          .int32(0)
          .int32(1)
          .int32(1 << 20)
          .int8(1)
          .int32(0)
          .int32(-1);
        w.compactArray(['fetch12'], (tw, name) => {
          tw.compactString(name).compactArray([0], (pw, partition) => {
            pw.int32(partition)
              .int32(-1)
              .int64(0)
              .int32(-1)
              .int64(-1)
              .int32(1 << 20)
              .taggedFields();
          });
          tw.taggedFields();
        });
        w.compactArray([], () => {});
        w.compactString('').taggedFields();
      },
      true,
    ).response;
    reader.taggedFields();
    expect([reader.int32(), reader.int16(), reader.int32()]).toEqual([0, 0, 0]);
    const [topic] = reader.compactArray((t) => {
      const name = t.compactString();
      const partitions = t.compactArray((p) => {
        const partition = {
          index: p.int32(),
          errorCode: p.int16(),
          highWatermark: p.int64Number(),
          lastStableOffset: p.int64Number(),
          logStartOffset: p.int64Number(),
          aborted: p.compactNullableArray((a) => {
            const entry = [a.int64Number(), a.int64Number()];
            a.taggedFields();
            return entry;
          }),
          preferredReadReplica: p.int32(),
          records: p.compactNullableBytes(),
        };
        p.taggedFields();
        return partition;
      });
      t.taggedFields();
      return { name, partitions };
    });
    expect(reader.taggedFields().size).toBe(0);
    expect(reader.remaining).toBe(0);
    const partition = topic?.partitions[0];
    expect(partition).toMatchObject({
      index: 0,
      errorCode: 0,
      highWatermark: 3,
      lastStableOffset: 2,
      logStartOffset: 0,
      aborted: [[producerId, 0]],
      preferredReadReplica: -1,
    });
    // the aborted batch and its marker, not the open transaction's batch
    expect(splitBatches(partition?.records ?? Buffer.alloc(0)).batches).toHaveLength(2);
  });
});
