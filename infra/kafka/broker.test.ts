/** Protocol-level behaviour of the broker, over TCP with a bare client (no kafkajs/kcat). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKey, ErrorCode } from './protocol/api-keys.ts';
import { decodeRecords, encodeBatch, splitBatches } from './protocol/records.ts';
import { type BrokerFixture, startTestBroker } from './test-support/broker-fixture.ts';
import {
  fetchPartition,
  fetchRequest,
  parseFetchV4,
  produceBatch,
  RawClient,
} from './test-support/raw-client.ts';

let fixture: BrokerFixture;
const clients: RawClient[] = [];

async function client(port = fixture.port): Promise<RawClient> {
  const connected = await RawClient.connect(port);
  clients.push(connected);
  return connected;
}

beforeAll(async () => {
  fixture = await startTestBroker({
    autoCreateTopics: false,
    listeners: [{ port: 0, advertisedHost: 'proxy.example', advertisedPort: 19_999 }],
  });
});

afterAll(async () => {
  for (const c of clients) c.close();
  await fixture.stop();
});

async function createTopic(c: RawClient, name: string, partitions = 1): Promise<number> {
  const reader = await c.request(ApiKey.CreateTopics, 1, (w) => {
    w.array([name], (tw, topic) =>
      tw
        .string(topic)
        .int32(partitions)
        .int16(1)
        .array([], () => {})
        .array([], () => {}),
    );
    w.int32(5000).boolean(false);
  });
  const [result] = reader.array((r) => ({
    name: r.string(),
    errorCode: r.int16(),
    message: r.nullableString(),
  }));
  return result?.errorCode ?? -999;
}

function metadataV1(c: RawClient, topics: string[] | null) {
  return c
    .request(ApiKey.Metadata, 1, (w) => w.nullableArray(topics, (tw, t) => tw.string(t)))
    .then((r) => {
      const brokers = r.array((b) => ({
        nodeId: b.int32(),
        host: b.string(),
        port: b.int32(),
        rack: b.nullableString(),
      }));
      const controllerId = r.int32();
      const topicsOut = r.array((t) => ({
        errorCode: t.int16(),
        name: t.string(),
        internal: t.boolean(),
        partitions: t.array((p) => ({
          errorCode: p.int16(),
          index: p.int32(),
          leader: p.int32(),
          replicas: p.array((x) => x.int32()),
          isr: p.array((x) => x.int32()),
        })),
      }));
      return { brokers, controllerId, topics: topicsOut };
    });
}

describe('ApiVersions', () => {
  it('advertises exactly the registered versions (v2)', async () => {
    const reader = await (await client()).request(ApiKey.ApiVersions, 2, () => {});
    expect(reader.int16()).toBe(ErrorCode.NONE);
    const ranges = reader.array((r) => [r.int16(), r.int16(), r.int16()]);
    const byKey = new Map(ranges.map(([key, min, max]) => [key, [min, max]]));
    expect(byKey.get(ApiKey.ApiVersions)).toEqual([0, 2]);
    expect(byKey.get(ApiKey.Metadata)).toEqual([1, 9]);
    expect(byKey.get(ApiKey.Produce)).toEqual([3, 8]);
    expect(byKey.get(ApiKey.Fetch)).toEqual([4, 12]);
    expect(byKey.get(ApiKey.ListOffsets)).toEqual([0, 3]);
    expect(byKey.get(ApiKey.InitProducerId)).toEqual([0, 1]);
    for (const key of [
      ApiKey.AddPartitionsToTxn,
      ApiKey.AddOffsetsToTxn,
      ApiKey.EndTxn,
      ApiKey.TxnOffsetCommit,
    ]) {
      expect(byKey.get(key)).toEqual([0, 1]);
    }
    expect(byKey.get(ApiKey.CreatePartitions)).toEqual([0, 1]);
    expect(byKey.get(ApiKey.DeleteRecords)).toEqual([0, 1]);
    expect(byKey.get(ApiKey.DescribeConfigs)).toEqual([0, 2]);
    expect(byKey.get(ApiKey.AlterConfigs)).toEqual([0, 1]);
    expect(byKey.has(ApiKey.SaslHandshake)).toBe(false);
  });

  it('answers a too-new ApiVersions (v3, flexible header) with UNSUPPORTED_VERSION and its list', async () => {
    const c = await client();
    // hand-built v3 request: header v2 (tagged fields), compact client software name/version
    const { Writer } = await import('./protocol/writer.ts');
    const w = new Writer()
      .int32(0)
      .int16(ApiKey.ApiVersions)
      .int16(3)
      .int32(77)
      .nullableString('rdkafka')
      .taggedFields();
    w.compactString('librdkafka').compactString('2.0.2').taggedFields();
    w.patchInt32(0, w.size - 4);
    const frame = new Promise<Buffer>((resolve) => {
      const socket = (c as unknown as { socket: import('node:net').Socket }).socket;
      socket.prependListener('data', (chunk: Buffer) => resolve(chunk));
    });
    c.writeRaw(w.toBuffer());
    const bytes = await frame;
    expect(bytes.readInt32BE(4)).toBe(77); // response header v0: correlation id only
    expect(bytes.readInt16BE(8)).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(bytes.readInt32BE(10)).toBeGreaterThan(5); // the api_keys array, v0 layout
  });

  it('closes the connection on an unsupported version of another API', async () => {
    const c = await client();
    c.send(ApiKey.Metadata, 12, (w) => w.int32(0));
    await c.closed;
    const other = await client();
    expect((await metadataV1(other, [])).brokers).toHaveLength(1);
  });
});

describe('Metadata and listeners', () => {
  it('reports one broker, the controller, at the listener address', async () => {
    const meta = await metadataV1(await client(), null);
    expect(meta.brokers).toEqual([{ nodeId: 0, host: '127.0.0.1', port: fixture.port, rack: null }]);
    expect(meta.controllerId).toBe(0);
  });

  it('tells clients of listener B to use B advertised address', async () => {
    const second = fixture.broker.listeners[1];
    expect(second).toBeDefined();
    const meta = await metadataV1(await client(second?.port), []);
    expect(meta.brokers).toEqual([{ nodeId: 0, host: 'proxy.example', port: 19_999, rack: null }]);
  });

  it('answers UNKNOWN_TOPIC_OR_PARTITION for an unknown topic when auto-creation is off', async () => {
    const meta = await metadataV1(await client(), ['nope']);
    expect(meta.topics).toEqual([
      { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name: 'nope', internal: false, partitions: [] },
    ]);
  });

  it('lists created topics with their partitions led by node 0', async () => {
    const c = await client();
    expect(await createTopic(c, 'meta-topic', 3)).toBe(ErrorCode.NONE);
    expect(await createTopic(c, 'meta-topic', 3)).toBe(ErrorCode.TOPIC_ALREADY_EXISTS);
    expect(await createTopic(c, 'bad/name', 1)).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    const meta = await metadataV1(c, ['meta-topic']);
    expect(meta.topics[0]?.partitions.map((p) => [p.index, p.leader, p.replicas, p.isr])).toEqual([
      [0, 0, [0], [0]],
      [1, 0, [0], [0]],
      [2, 0, [0], [0]],
    ]);
  });
});

describe('Produce and Fetch error codes', () => {
  it('refuses an unknown topic, a too-large batch and a corrupt batch', async () => {
    const c = await client();
    await createTopic(c, 'errors');
    const small = encodeBatch({ records: [{ value: 'x' }] });
    expect((await produceBatch(c, { topic: 'missing', partition: 0, batch: small })).errorCode).toBe(
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
    expect((await produceBatch(c, { topic: 'errors', partition: 9, batch: small })).errorCode).toBe(
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
    const big = encodeBatch({ records: [{ value: Buffer.alloc(1024 * 1024 + 100, 1) }] });
    expect((await produceBatch(c, { topic: 'errors', partition: 0, batch: big })).errorCode).toBe(
      ErrorCode.MESSAGE_TOO_LARGE,
    );
    const corrupt = Buffer.from(small);
    corrupt[corrupt.length - 1] = (corrupt[corrupt.length - 1] as number) ^ 0xff;
    expect((await produceBatch(c, { topic: 'errors', partition: 0, batch: corrupt })).errorCode).toBe(
      ErrorCode.CORRUPT_MESSAGE,
    );
    const fetched = await fetchPartition(c, { topic: 'errors', partition: 0, offset: 0 });
    expect(fetched).toMatchObject({ errorCode: ErrorCode.NONE, highWatermark: 0 });
  });

  it('answers OFFSET_OUT_OF_RANGE past the log end and UNKNOWN_TOPIC_OR_PARTITION for a missing topic', async () => {
    const c = await client();
    await createTopic(c, 'ranges');
    await produceBatch(c, {
      topic: 'ranges',
      partition: 0,
      batch: encodeBatch({ records: [{ value: 'a' }, { value: 'b' }] }),
    });
    expect((await fetchPartition(c, { topic: 'ranges', partition: 0, offset: 3 })).errorCode).toBe(
      ErrorCode.OFFSET_OUT_OF_RANGE,
    );
    expect((await fetchPartition(c, { topic: 'ranges', partition: 0, offset: -1 })).errorCode).toBe(
      ErrorCode.OFFSET_OUT_OF_RANGE,
    );
    expect((await fetchPartition(c, { topic: 'gone', partition: 0, offset: 0 })).errorCode).toBe(
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    );
    const mid = await fetchPartition(c, { topic: 'ranges', partition: 0, offset: 1 });
    expect(decodeRecords(mid.records).map((r) => [r.offset, r.value?.toString()])).toEqual([
      [0, 'a'],
      [1, 'b'],
    ]);
  });
});

describe('Fetch sizing', () => {
  it('returns whole batches up to maxBytes, and at least one batch even when it is bigger', async () => {
    const c = await client();
    await createTopic(c, 'sizes');
    const batch = () => encodeBatch({ records: [{ value: 'z'.repeat(1000) }] });
    for (let i = 0; i < 5; i++) await produceBatch(c, { topic: 'sizes', partition: 0, batch: batch() });
    const size = batch().length;
    const batchesFor = async (maxBytes: number, offset = 0) =>
      splitBatches((await fetchPartition(c, { topic: 'sizes', partition: 0, offset, maxBytes })).records);
    expect((await batchesFor(100)).batches).toHaveLength(1);
    expect((await batchesFor(size * 3 + 10)).batches).toHaveLength(3);
    expect((await batchesFor(size * 3 + 10)).partialTail).toBe(0);
    expect((await batchesFor(1_000_000, 3)).batches).toHaveLength(2);
  });
});

describe('idempotent producer', () => {
  async function initProducerId(c: RawClient): Promise<number> {
    const r = await c.request(ApiKey.InitProducerId, 0, (w) => w.nullableString(null).int32(60_000));
    r.int32();
    expect(r.int16()).toBe(ErrorCode.NONE);
    return r.int64Number();
  }

  it('appends a retried batch once and returns its original offset', async () => {
    const c = await client();
    await createTopic(c, 'idem');
    const producerId = await initProducerId(c);
    const batch = (seq: number, values: string[]) =>
      encodeBatch({
        producerId,
        producerEpoch: 0,
        baseSequence: seq,
        records: values.map((value) => ({ value })),
      });
    expect(await produceBatch(c, { topic: 'idem', partition: 0, batch: batch(0, ['a', 'b']) })).toEqual({
      errorCode: 0,
      baseOffset: 0,
    });
    expect(await produceBatch(c, { topic: 'idem', partition: 0, batch: batch(2, ['c']) })).toEqual({
      errorCode: 0,
      baseOffset: 2,
    });
    // the same batch again (a retry after a lost response): not appended twice
    expect(await produceBatch(c, { topic: 'idem', partition: 0, batch: batch(2, ['c']) })).toEqual({
      errorCode: 0,
      baseOffset: 2,
    });
    expect(await produceBatch(c, { topic: 'idem', partition: 0, batch: batch(0, ['a', 'b']) })).toEqual({
      errorCode: 0,
      baseOffset: 0,
    });
    // a gap in the sequence
    expect((await produceBatch(c, { topic: 'idem', partition: 0, batch: batch(7, ['x']) })).errorCode).toBe(
      ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
    );
    expect(await produceBatch(c, { topic: 'idem', partition: 0, batch: batch(3, ['d']) })).toEqual({
      errorCode: 0,
      baseOffset: 3,
    });
    const fetched = await fetchPartition(c, { topic: 'idem', partition: 0, offset: 0 });
    expect(fetched.highWatermark).toBe(4);
    expect(
      splitBatches(fetched.records)
        .batches.flatMap((b) => decodeRecords(b))
        .map((r) => r.value?.toString()),
    ).toEqual(['a', 'b', 'c', 'd']);
  });

  it('answers UNKNOWN_PRODUCER_ID to a producer without state that does not start at 0, fences an older epoch', async () => {
    const c = await client();
    await createTopic(c, 'idem2');
    const producerId = await initProducerId(c);
    const batch = (epoch: number, seq: number) =>
      encodeBatch({ producerId, producerEpoch: epoch, baseSequence: seq, records: [{ value: 'v' }] });
    expect((await produceBatch(c, { topic: 'idem2', partition: 0, batch: batch(1, 5) })).errorCode).toBe(
      ErrorCode.UNKNOWN_PRODUCER_ID,
    );
    expect((await produceBatch(c, { topic: 'idem2', partition: 0, batch: batch(1, 0) })).errorCode).toBe(
      ErrorCode.NONE,
    );
    expect((await produceBatch(c, { topic: 'idem2', partition: 0, batch: batch(0, 1) })).errorCode).toBe(
      ErrorCode.INVALID_PRODUCER_EPOCH,
    );
    // a bumped epoch must restart its sequence at 0
    expect((await produceBatch(c, { topic: 'idem2', partition: 0, batch: batch(2, 1) })).errorCode).toBe(
      ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
    );
    expect((await produceBatch(c, { topic: 'idem2', partition: 0, batch: batch(2, 0) })).errorCode).toBe(
      ErrorCode.NONE,
    );
  });
});

describe('connections', () => {
  it('closes only the connection that sent a malformed frame', async () => {
    const good = await client();
    const bad = await client();
    await createTopic(good, 'survivor');
    // a valid size, then a header claiming Produce v3 with a truncated body
    bad.writeRaw(Buffer.from([0, 0, 0, 10, 0, 0, 0, 3, 0, 0, 0, 1, 0xff, 0xff]));
    await bad.closed;
    const garbage = await client();
    garbage.writeRaw(Buffer.from([0xff, 0xff, 0xff, 0xf0, 1, 2, 3])); // negative frame size
    await garbage.closed;
    expect(
      (
        await produceBatch(good, {
          topic: 'survivor',
          partition: 0,
          batch: encodeBatch({ records: [{ value: 'ok' }] }),
        })
      ).errorCode,
    ).toBe(0);
  });

  it('long-polls Fetch until data arrives, or until maxWaitMs', async () => {
    const c = await client();
    const producer = await client();
    await createTopic(c, 'poll');
    let started = Date.now();
    const empty = await fetchPartition(c, { topic: 'poll', partition: 0, offset: 0, maxWaitMs: 400 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(380);
    expect(empty.records.length).toBe(0);

    started = Date.now();
    const waiting = fetchPartition(c, { topic: 'poll', partition: 0, offset: 0, maxWaitMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await produceBatch(producer, {
      topic: 'poll',
      partition: 0,
      batch: encodeBatch({ records: [{ value: 'wake' }] }),
    });
    const woken = await waiting;
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(decodeRecords(woken.records)[0]?.value?.toString()).toBe('wake');
  });

  it('holds a Fetch until minBytes are available', async () => {
    const c = await client();
    const producer = await client();
    await createTopic(c, 'min-bytes');
    const batch = () => encodeBatch({ records: [{ value: 'm'.repeat(200) }] });
    let answered = false;
    const waiting = fetchPartition(c, {
      topic: 'min-bytes',
      partition: 0,
      offset: 0,
      maxWaitMs: 15_000,
      minBytes: batch().length * 3,
    }).then((result) => {
      answered = true;
      return result;
    });
    await produceBatch(producer, { topic: 'min-bytes', partition: 0, batch: batch() });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(answered).toBe(false);
    await produceBatch(producer, { topic: 'min-bytes', partition: 0, batch: batch() });
    await produceBatch(producer, { topic: 'min-bytes', partition: 0, batch: batch() });
    const result = await waiting;
    expect(splitBatches(result.records).batches).toHaveLength(3);
  });

  it('keeps responses in request order on one connection', async () => {
    const c = await client();
    await createTopic(c, 'order');
    const slow = fetchRequest(c, { topic: 'order', partition: 0, offset: 0, maxWaitMs: 600 });
    const fast = c.send(ApiKey.ApiVersions, 0, () => {});
    await Promise.all([slow.response.then(parseFetchV4), fast.response]);
    expect(c.arrivals.slice(-2)).toEqual([slow.correlationId, fast.correlationId]);
  });

  it('sends nothing back for acks=0 but appends', async () => {
    const c = await client();
    await createTopic(c, 'acks0');
    const silent = produceBatch(c, {
      topic: 'acks0',
      partition: 0,
      batch: encodeBatch({ records: [{ value: 'q' }] }),
      acks: 0,
    });
    const after = await fetchPartition(c, { topic: 'acks0', partition: 0, offset: 0 });
    expect(after.highWatermark).toBe(1);
    const raced = await Promise.race([
      silent.then(() => 'answered'),
      new Promise((r) => setTimeout(() => r('silent'), 200)),
    ]);
    expect(raced).toBe('silent');
  });
});
