import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { crc32c } from './crc32c.ts';
import { batchCrcIsValid, decodeRecords, encodeBatch, readBatchHeader, splitBatches } from './records.ts';

// kafkajs's own RecordBatch encoder/decoder (internal modules): the reference implementation
const require = createRequire(import.meta.url);
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0/index.js') as {
  RecordBatch: (options: Record<string, unknown>) => Promise<{ buffer: Buffer }>;
};
const Record = require('kafkajs/src/protocol/recordBatch/record/v0/index.js') as (
  options: Record<string, unknown>,
) => unknown;
const decodeKafkajsBatch = require('kafkajs/src/protocol/recordBatch/v0/decoder.js') as (
  decoder: unknown,
) => Promise<{
  records: Array<{ key: Buffer; value: Buffer; offset: string; headers: Record<string, Buffer> }>;
}>;
const Decoder = require('kafkajs/src/protocol/decoder.js') as new (buffer: Buffer) => unknown;
const { Types } = require('kafkajs/src/protocol/message/compression/index.js') as { Types: { GZIP: number } };

async function kafkajsBatch(compression = 0): Promise<Buffer> {
  const now = 1_700_000_000_000;
  const records = [
    Record({ offsetDelta: 0, timestampDelta: 0, key: Buffer.from('k0'), value: Buffer.from('v0') }),
    Record({
      offsetDelta: 1,
      timestampDelta: 5,
      key: Buffer.from('k1'),
      value: Buffer.from('v1'),
      headers: { h: Buffer.from('x') },
    }),
  ];
  const batch = await RecordBatch({
    compression,
    firstTimestamp: now,
    maxTimestamp: now + 5,
    lastOffsetDelta: 1,
    producerId: 7,
    producerEpoch: 0,
    firstSequence: 3,
    records,
  });
  return batch.buffer;
}

describe('crc32c', () => {
  it('matches the standard check value', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });
});

describe('RecordBatch v2', () => {
  it('accepts the CRC of a kafkajs-produced batch and decodes its records', async () => {
    for (const compression of [0, Types.GZIP]) {
      const batch = await kafkajsBatch(compression);
      expect(batchCrcIsValid(batch)).toBe(true);
      const header = readBatchHeader(batch);
      expect(header).toMatchObject({
        magic: 2,
        recordCount: 2,
        producerId: 7,
        baseSequence: 3,
        lastOffsetDelta: 1,
      });
      const records = decodeRecords(batch);
      expect(records.map((r) => [r.offset, r.timestamp, r.key?.toString(), r.value?.toString()])).toEqual([
        [0, 1_700_000_000_000, 'k0', 'v0'],
        [1, 1_700_000_000_005, 'k1', 'v1'],
      ]);
      expect(records[1]?.headers).toEqual([{ key: 'h', value: Buffer.from('x') }]);
    }
  });

  it('detects a flipped byte', async () => {
    const batch = await kafkajsBatch();
    batch[batch.length - 1] = (batch[batch.length - 1] as number) ^ 0xff;
    expect(batchCrcIsValid(batch)).toBe(false);
  });

  it('encodes batches kafkajs decodes, with gzip too', async () => {
    for (const compression of ['none', 'gzip'] as const) {
      const batch = encodeBatch({
        baseOffset: 40,
        compression,
        records: [
          { key: 'a', value: 'one', headers: [{ key: 'event-type', value: 'X' }] },
          { key: null, value: 'two' },
        ],
      });
      expect(batchCrcIsValid(batch)).toBe(true);
      const decoded = await decodeKafkajsBatch(new Decoder(batch));
      expect(decoded.records.map((r) => [r.offset, r.key?.toString() ?? null, r.value.toString()])).toEqual([
        ['40', 'a', 'one'],
        ['41', null, 'two'],
      ]);
      expect(decoded.records[0]?.headers['event-type']?.toString()).toBe('X');
    }
  });

  it('splits concatenated batches and reports a partial tail', () => {
    const one = encodeBatch({ records: [{ value: 'a' }] });
    const two = encodeBatch({ records: [{ value: 'b' }, { value: 'c' }] });
    const joined = Buffer.concat([one, two, two.subarray(0, 20)]);
    const { batches, partialTail } = splitBatches(joined);
    expect(batches.map((b) => b.length)).toEqual([one.length, two.length]);
    expect(partialTail).toBe(20);
  });
});
