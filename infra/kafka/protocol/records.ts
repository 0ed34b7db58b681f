/**
 * RecordBatch v2 (magic 2): https://kafka.apache.org/documentation/#recordbatch
 *
 * The broker stores batches exactly as producers sent them, only rewriting the base offset (which
 * sits outside the CRC-covered range), so the hot path reads just the fixed 61-byte header.
 * Decoding the records themselves (with gzip through node:zlib) is needed only to answer
 * ListOffsets by timestamp precisely, and by tests; encoding is used by tests and tools.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { crc32c } from './crc32c.ts';
import { MalformedFrameError, Reader } from './reader.ts';
import { Writer } from './writer.ts';

/** baseOffset(8) + batchLength(4): batchLength counts the bytes after these 12. */
export const BATCH_LOG_OVERHEAD = 12;
/** Everything up to and including the record count. */
export const BATCH_HEADER_SIZE = 61;
const CRC_OFFSET = 17;
/** The CRC covers from the attributes field to the end of the batch. */
const ATTRIBUTES_OFFSET = 21;

export const Compression = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
const COMPRESSION_MASK = 0x07;
/** attributes bit 4: the batch belongs to a transaction */
const TRANSACTIONAL_FLAG = 0x10;
/** attributes bit 5: a control batch (a transaction marker), never handed to applications */
const CONTROL_FLAG = 0x20;

/** The type field of a control record's key: what a transaction marker says. */
export const ControlType = { abort: 0, commit: 1 } as const;
export type ControlTypeValue = (typeof ControlType)[keyof typeof ControlType];

export interface BatchHeader {
  baseOffset: number;
  /** bytes after baseOffset + batchLength: the whole batch is BATCH_LOG_OVERHEAD + batchLength */
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  firstTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

export function batchSize(header: BatchHeader): number {
  return BATCH_LOG_OVERHEAD + header.batchLength;
}

export function lastOffset(header: BatchHeader): number {
  return header.baseOffset + header.lastOffsetDelta;
}

export function compressionOf(header: BatchHeader): number {
  return header.attributes & COMPRESSION_MASK;
}

export function isTransactional(header: BatchHeader): boolean {
  return (header.attributes & TRANSACTIONAL_FLAG) !== 0;
}

export function isControl(header: BatchHeader): boolean {
  return (header.attributes & CONTROL_FLAG) !== 0;
}

/** Reads the fixed header at `at`; the caller makes sure BATCH_HEADER_SIZE bytes are there. */
export function readBatchHeader(buffer: Buffer, at = 0): BatchHeader {
  if (buffer.length - at < BATCH_HEADER_SIZE) {
    throw new MalformedFrameError(`record batch header truncated (${buffer.length - at} bytes)`);
  }
  return {
    baseOffset: Number(buffer.readBigInt64BE(at)),
    batchLength: buffer.readInt32BE(at + 8),
    partitionLeaderEpoch: buffer.readInt32BE(at + 12),
    magic: buffer.readInt8(at + 16),
    crc: buffer.readUInt32BE(at + CRC_OFFSET),
    attributes: buffer.readInt16BE(at + ATTRIBUTES_OFFSET),
    lastOffsetDelta: buffer.readInt32BE(at + 23),
    firstTimestamp: Number(buffer.readBigInt64BE(at + 27)),
    maxTimestamp: Number(buffer.readBigInt64BE(at + 35)),
    producerId: Number(buffer.readBigInt64BE(at + 43)),
    producerEpoch: buffer.readInt16BE(at + 51),
    baseSequence: buffer.readInt32BE(at + 53),
    recordCount: buffer.readInt32BE(at + 57),
  };
}

/** True when the CRC stored in the complete batch at `at` matches its content. */
export function batchCrcIsValid(buffer: Buffer, at = 0): boolean {
  const size = BATCH_LOG_OVERHEAD + buffer.readInt32BE(at + 8);
  if (size < BATCH_HEADER_SIZE || at + size > buffer.length) return false;
  return crc32c(buffer, at + ATTRIBUTES_OFFSET, at + size) === buffer.readUInt32BE(at + CRC_OFFSET);
}

export function setBaseOffset(buffer: Buffer, at: number, baseOffset: number): void {
  buffer.writeBigInt64BE(BigInt(baseOffset), at);
}

export function setPartitionLeaderEpoch(buffer: Buffer, at: number, epoch: number): void {
  buffer.writeInt32BE(epoch, at + 12);
}

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface Record {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

/** Decodes every record of one complete batch (none and gzip compression). */
export function decodeRecords(batch: Buffer): Record[] {
  const header = readBatchHeader(batch);
  if (header.magic !== 2) throw new MalformedFrameError(`unsupported magic ${header.magic}`);
  let body = batch.subarray(BATCH_HEADER_SIZE, batchSize(header));
  const compression = compressionOf(header);
  if (compression === Compression.gzip) body = gunzipSync(body);
  else if (compression !== Compression.none) {
    throw new MalformedFrameError(`compression codec ${compression} is not supported`);
  }
  const reader = new Reader(body);
  const records: Record[] = [];
  for (let index = 0; index < header.recordCount; index++) {
    const length = reader.varint();
    const end = reader.offset + length;
    reader.int8(); // record attributes: unused
    const timestamp = header.firstTimestamp + reader.varlongNumber();
    const offset = header.baseOffset + reader.varint();
    const key = reader.varintBytes();
    const value = reader.varintBytes();
    const headerCount = reader.varint();
    const headers: RecordHeader[] = [];
    for (let h = 0; h < headerCount; h++) {
      const headerKey = reader.varintBytes();
      headers.push({ key: headerKey?.toString('utf8') ?? '', value: reader.varintBytes() });
    }
    if (reader.offset !== end) throw new MalformedFrameError('record length mismatch');
    records.push({ offset, timestamp, key, value, headers });
  }
  return records;
}

export interface NewRecord {
  /** position in the batch (default: its index); compaction keeps the original deltas */
  offsetDelta?: number;
  key?: Buffer | string | null;
  value: Buffer | string | null;
  timestamp?: number;
  headers?: Array<{ key: string; value: Buffer | string | null }>;
}

export interface EncodeBatchOptions {
  records: NewRecord[];
  baseOffset?: number;
  compression?: 'none' | 'gzip';
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  partitionLeaderEpoch?: number;
  transactional?: boolean;
  control?: boolean;
  /** default: records.length - 1; a compacted batch keeps its original span */
  lastOffsetDelta?: number;
  /** default: from the records; a compacted batch keeps the original ones */
  timestamps?: { first: number; max: number };
}

function toBytes(value: Buffer | string | null | undefined): Buffer | null {
  if (value === null || value === undefined) return null;
  return typeof value === 'string' ? Buffer.from(value) : value;
}

/** Builds a complete RecordBatch v2 (for tests and tools; the broker never re-encodes). */
export function encodeBatch(options: EncodeBatchOptions): Buffer {
  const now = Date.now();
  const firstTimestamp = options.timestamps?.first ?? options.records[0]?.timestamp ?? now;
  let maxTimestamp = options.timestamps?.max ?? firstTimestamp;
  const recordsWriter = new Writer();
  options.records.forEach((record, index) => {
    const timestamp = record.timestamp ?? now;
    maxTimestamp = Math.max(maxTimestamp, timestamp);
    const body = new Writer()
      .int8(0)
      .varlong(timestamp - firstTimestamp)
      .varint(record.offsetDelta ?? index)
      .varintBytes(toBytes(record.key))
      .varintBytes(toBytes(record.value))
      .varint(record.headers?.length ?? 0);
    for (const header of record.headers ?? []) {
      body.varintBytes(Buffer.from(header.key)).varintBytes(toBytes(header.value));
    }
    recordsWriter.varint(body.size).raw(body.view());
  });
  const gzip = options.compression === 'gzip';
  const recordBytes = gzip ? gzipSync(recordsWriter.view()) : recordsWriter.view();

  const writer = new Writer(BATCH_HEADER_SIZE + recordBytes.length);
  writer
    .int64(options.baseOffset ?? 0)
    .int32(0) // batchLength, patched below
    .int32(options.partitionLeaderEpoch ?? 0)
    .int8(2)
    .uint32(0) // crc, patched below
    .int16(
      (gzip ? Compression.gzip : Compression.none) |
        (options.transactional ? TRANSACTIONAL_FLAG : 0) |
        (options.control ? CONTROL_FLAG : 0),
    )
    .int32(options.lastOffsetDelta ?? Math.max(0, options.records.length - 1))
    .int64(firstTimestamp)
    .int64(maxTimestamp)
    .int64(options.producerId ?? -1)
    .int16(options.producerEpoch ?? -1)
    .int32(options.baseSequence ?? -1)
    .int32(options.records.length)
    .raw(recordBytes);
  writer.patchInt32(8, writer.size - BATCH_LOG_OVERHEAD);
  writer.patchUInt32(CRC_OFFSET, crc32c(writer.view(), ATTRIBUTES_OFFSET));
  return writer.toBuffer();
}

/**
 * A transaction marker: a control batch of one record whose key is (version 0, type) and whose
 * value is (version 0, coordinator epoch), as Kafka's EndTransactionMarker.
 */
export function encodeControlBatch(options: {
  producerId: number;
  producerEpoch: number;
  type: ControlTypeValue;
  coordinatorEpoch: number;
}): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(options.type, 2);
  const value = Buffer.alloc(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(options.coordinatorEpoch, 2);
  return encodeBatch({
    records: [{ key, value }],
    producerId: options.producerId,
    producerEpoch: options.producerEpoch,
    baseSequence: -1,
    transactional: true,
    control: true,
  });
}

/** The marker type of a complete control batch (commit or abort). */
export function controlTypeOf(batch: Buffer): ControlTypeValue {
  const key = decodeRecords(batch)[0]?.key;
  if (!key || key.length < 4) throw new MalformedFrameError('control record without a key');
  return key.readInt16BE(2) === ControlType.commit ? ControlType.commit : ControlType.abort;
}

/**
 * Splits the `records` field of a Produce request (or a fetched chunk) into complete batches.
 * A trailing partial batch (allowed at the end of a Fetch response) is reported separately.
 */
export function splitBatches(buffer: Buffer): { batches: Buffer[]; partialTail: number } {
  const batches: Buffer[] = [];
  let at = 0;
  while (buffer.length - at >= BATCH_LOG_OVERHEAD) {
    const size = BATCH_LOG_OVERHEAD + buffer.readInt32BE(at + 8);
    if (size < BATCH_HEADER_SIZE) throw new MalformedFrameError(`record batch of ${size} bytes`);
    if (at + size > buffer.length) break;
    batches.push(buffer.subarray(at, at + size));
    at += size;
  }
  return { batches, partialTail: buffer.length - at };
}
