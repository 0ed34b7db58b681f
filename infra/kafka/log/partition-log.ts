/**
 * The append-only log of one partition: a directory of segments (see segment.ts).
 *
 * Durability: an append returns after write(2) handed the batch to the OS. That survives a crash
 * or SIGKILL of the broker process (the page cache belongs to the kernel), which is what the lab
 * injects; it does not survive a power loss unless `fsync` is on (then every append is fsynced).
 * On open after a crash, the active (last) segment is verified batch by batch (sizes, offsets,
 * CRCs) and a torn or corrupt tail is truncated; after a clean shutdown the CRC pass is skipped.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ErrorCode } from '../protocol/api-keys.ts';
import {
  BATCH_LOG_OVERHEAD,
  type BatchHeader,
  type ControlTypeValue,
  controlTypeOf,
  decodeRecords,
  encodeControlBatch,
  isControl,
  isTransactional,
  lastOffset,
  readBatchHeader,
  setBaseOffset,
  setPartitionLeaderEpoch,
} from '../protocol/records.ts';
import { collectLatest, compactSegment } from './compaction.ts';
import { ProducerStateTable, type SequenceVerdict } from './producer-state.ts';
import { parseSegmentFileName, Segment } from './segment.ts';
import type { TopicConfig } from './topic-configs.ts';
import { type AbortedTransaction, TransactionIndex } from './transaction-index.ts';

/** Kafka's log-start-offset checkpoint: where DeleteRecords moved the start, inside a segment. */
const LOG_START_OFFSET_FILE = 'log-start-offset';

export interface LogOptions {
  /** roll to a new segment past this size */
  segmentBytes: number;
  /** one sparse index entry per this many bytes */
  indexIntervalBytes: number;
  /** fsync after every append (power-loss durability; slower) */
  fsync: boolean;
}

export const DEFAULT_LOG_OPTIONS: LogOptions = {
  segmentBytes: 64 * 1024 * 1024,
  indexIntervalBytes: 16 * 1024,
  fsync: false,
};

export type AppendResult =
  | { kind: 'appended'; baseOffset: number; lastOffset: number }
  | { kind: 'duplicate'; baseOffset: number }
  | { kind: 'error'; errorCode: (typeof ErrorCode)[keyof typeof ErrorCode] | number; message: string };

export class PartitionLog {
  readonly topic: string;
  readonly partition: number;
  readonly dir: string;
  private readonly options: LogOptions;
  private readonly segments: Segment[];
  private readonly producers = new ProducerStateTable();
  private readonly transactions = new TransactionIndex();
  private readonly appendListeners = new Set<() => void>();
  /** the start set by DeleteRecords (the first segment's base offset may be lower) */
  private startOffset = 0;
  /**
   * The last stable offset of the last compaction pass, and whether it left tombstones: a pass
   * with neither new data nor tombstones to expire would rewrite nothing, so it is skipped
   * (each pass reads the whole log).
   */
  private compacted = { upTo: -1, tombstonesLeft: false };
  /** retention, compaction, segment and message sizes (TopicStore keeps it current) */
  config: TopicConfig;

  private constructor(topic: string, partition: number, dir: string, options: LogOptions) {
    this.topic = topic;
    this.partition = partition;
    this.dir = dir;
    this.options = options;
    this.segments = [];
    this.config = {
      retentionMs: -1,
      retentionBytes: -1,
      cleanupPolicy: { delete: true, compact: false },
      segmentBytes: options.segmentBytes,
      maxMessageBytes: Number.MAX_SAFE_INTEGER,
      deleteRetentionMs: 24 * 60 * 60 * 1000,
    };
    const startFile = join(dir, LOG_START_OFFSET_FILE);
    if (existsSync(startFile)) this.startOffset = Number(readFileSync(startFile, 'utf8')) || 0;
  }

  /**
   * Opens or creates the log in `dir`. Batch sizes and offsets are always checked (a torn tail
   * is cut); with `verifyChecksums` (after a crash) the active segment's CRCs are checked too.
   */
  static open(
    topic: string,
    partition: number,
    dir: string,
    options: LogOptions,
    logger: Logger,
    verifyChecksums = true,
  ): PartitionLog {
    mkdirSync(dir, { recursive: true });
    const log = new PartitionLog(topic, partition, dir, options);
    const baseOffsets = readdirSync(dir)
      .map(parseSegmentFileName)
      .filter((offset): offset is number => offset !== undefined)
      .sort((a, b) => a - b);
    baseOffsets.forEach((baseOffset, index) => {
      const active = index === baseOffsets.length - 1;
      const { segment, scan } = Segment.open(dir, baseOffset, {
        indexIntervalBytes: options.indexIntervalBytes,
        verify: active && verifyChecksums,
        onBatch: (header, batch) => {
          if (header.producerId < 0) return;
          if (isControl(header)) log.replayMarker(header, controlTypeOf(batch()));
          else {
            log.producers.record(header, header.baseOffset);
            if (isTransactional(header)) log.transactions.onData(header.producerId, header.baseOffset);
          }
        },
      });
      if (scan.discardedBytes > 0) {
        logger.warn(
          {
            topic,
            partition,
            segment: segment.path,
            discardedBytes: scan.discardedBytes,
            reason: scan.reason,
          },
          'truncated a torn or corrupt log tail during recovery',
        );
      }
      log.segments.push(segment);
    });
    if (log.segments.length === 0) log.segments.push(Segment.create(dir, 0, options.indexIntervalBytes));
    return log;
  }

  get logStartOffset(): number {
    return Math.max((this.segments[0] as Segment).baseOffset, this.startOffset);
  }

  /** Bytes of every segment. */
  get size(): number {
    let size = 0;
    for (const segment of this.segments) size += segment.size;
    return size;
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  /** The log end offset; with one replica it is also the high watermark. */
  get nextOffset(): number {
    return this.active.nextOffset;
  }

  /** The first offset of the oldest open transaction here (the high watermark when none). */
  get lastStableOffset(): number {
    return this.transactions.lastStableOffset(this.nextOffset);
  }

  get highestProducerId(): number {
    return this.producers.highestProducerId();
  }

  private get active(): Segment {
    return this.segments[this.segments.length - 1] as Segment;
  }

  /**
   * Appends one complete, already validated batch (its bytes are modified in place: base offset
   * and leader epoch). Idempotent batches go through the sequence checks first.
   */
  append(batch: Buffer): AppendResult {
    const header = readBatchHeader(batch);
    if (header.producerId >= 0) {
      const verdict: SequenceVerdict = this.producers.check(header);
      if (verdict.kind === 'duplicate') return verdict;
      if (verdict.kind === 'error') return verdict;
    }
    const stored = this.write(batch, header);
    if (header.producerId >= 0) this.producers.record(stored, stored.baseOffset);
    if (isTransactional(header)) this.transactions.onData(header.producerId, stored.baseOffset);
    this.notifyAppend();
    return { kind: 'appended', baseOffset: stored.baseOffset, lastOffset: lastOffset(stored) };
  }

  /**
   * Writes a commit or abort marker for the producer's transaction (the transaction coordinator
   * calls this on EndTxn, on a fencing InitProducerId and on a timeout). Returns its offset.
   */
  appendMarker(options: {
    producerId: number;
    producerEpoch: number;
    type: ControlTypeValue;
    coordinatorEpoch: number;
  }): number {
    const batch = encodeControlBatch(options);
    const stored = this.write(batch, readBatchHeader(batch));
    this.replayMarker(stored, options.type);
    this.notifyAppend();
    return stored.baseOffset;
  }

  private replayMarker(header: BatchHeader, type: ControlTypeValue): void {
    this.producers.recordMarker(header.producerId, header.producerEpoch);
    this.transactions.onMarker(header.producerId, type, header.baseOffset);
  }

  /** Aborted transactions with records in [from, to) (Fetch with read_committed). */
  abortedTransactions(from: number, to: number): AbortedTransaction[] {
    return this.transactions.abortedIn(from, to);
  }

  /** Gives the batch the next offset and writes it, rolling to a new segment when full. */
  private write(batch: Buffer, header: BatchHeader): BatchHeader {
    const baseOffset = this.nextOffset;
    setBaseOffset(batch, 0, baseOffset);
    setPartitionLeaderEpoch(batch, 0, 0);
    const stored: BatchHeader = { ...header, baseOffset, partitionLeaderEpoch: 0 };
    if (this.active.size > 0 && this.active.size + batch.length > this.config.segmentBytes) this.roll();
    this.active.append(batch, stored, this.options.fsync);
    return stored;
  }

  /** Closes the active segment for writes and starts a new one at the log end. */
  private roll(): void {
    this.active.flush();
    this.segments.push(Segment.create(this.dir, this.nextOffset, this.options.indexIntervalBytes));
  }

  /**
   * Time and size retention (cleanup.policy delete): removes whole segments, oldest first,
   * whose newest record is older than retention.ms, or while the partition would still hold
   * retention.bytes without them. An expired active segment is rolled first, so an idle topic
   * empties too (the log end offset stays). Returns how many segments went.
   */
  applyRetention(now: number): number {
    if (!this.config.cleanupPolicy.delete) return 0;
    const { retentionMs, retentionBytes } = this.config;
    let excess = retentionBytes >= 0 ? this.size - retentionBytes : 0;
    let removed = 0;
    for (;;) {
      const oldest = this.segments[0] as Segment;
      // a closed segment compaction emptied holds nothing to keep
      const emptied = oldest.size === 0 && this.segments.length > 1;
      const expired =
        emptied || (retentionMs >= 0 && oldest.size > 0 && oldest.maxTimestamp < now - retentionMs);
      const oversize = retentionBytes >= 0 && oldest.size > 0 && excess - oldest.size >= 0;
      if (!expired && !oversize) break;
      if (this.segments.length === 1) {
        if (!expired) break;
        this.roll();
      }
      excess -= oldest.size;
      this.segments.shift();
      oldest.destroy();
      removed++;
    }
    if (removed > 0) this.transactions.truncateBefore(this.logStartOffset);
    return removed;
  }

  /**
   * DeleteRecords: moves the log start offset to `offset` (at most the high watermark, checked
   * by the caller) and removes the segments wholly below it. Durable before it returns.
   */
  deleteRecordsBefore(offset: number): void {
    if (offset <= this.logStartOffset) return;
    this.startOffset = offset;
    const temp = join(this.dir, `${LOG_START_OFFSET_FILE}.tmp`);
    writeFileSync(temp, String(offset));
    renameSync(temp, join(this.dir, LOG_START_OFFSET_FILE));
    while (this.segments.length > 1 && (this.segments[1] as Segment).baseOffset <= offset) {
      (this.segments.shift() as Segment).destroy();
    }
    this.transactions.truncateBefore(offset);
  }

  /**
   * Compaction (cleanup.policy compact, see compaction.ts) of the closed segments below the last
   * stable offset. Returns how many segments were rewritten.
   */
  compact(now: number): number {
    if (!this.config.cleanupPolicy.compact) return 0;
    const stable = this.lastStableOffset;
    let cleanable = 0;
    while (
      cleanable < this.segments.length - 1 &&
      (this.segments[cleanable] as Segment).nextOffset <= stable
    ) {
      cleanable++;
    }
    if (cleanable === 0) return 0;
    if (stable === this.compacted.upTo && !this.compacted.tombstonesLeft) return 0;
    const isAborted = (header: BatchHeader): boolean =>
      isTransactional(header) &&
      this.transactions
        .abortedIn(header.baseOffset, lastOffset(header) + 1)
        .some((aborted) => aborted.producerId === header.producerId);
    const latest = new Map<string, number>();
    for (const segment of this.segments) collectLatest(batchesBelow(segment, stable), latest, isAborted);
    let rewritten = 0;
    let tombstonesLeft = false;
    for (let index = 0; index < cleanable; index++) {
      const segment = this.segments[index] as Segment;
      const cleaned = compactSegment(
        [...segment.batches()],
        latest,
        isAborted,
        now - this.config.deleteRetentionMs,
      );
      tombstonesLeft ||= cleaned.tombstonesLeft;
      if (!cleaned.batches) continue;
      this.segments[index] = segment.rewrite(this.dir, cleaned.batches);
      rewritten++;
    }
    this.compacted = { upTo: stable, tombstonesLeft };
    return rewritten;
  }

  private notifyAppend(): void {
    for (const listener of this.appendListeners) listener();
  }

  /** Called after every append until the returned function is called (Fetch long polls). */
  onAppend(listener: () => void): () => void {
    this.appendListeners.add(listener);
    return () => this.appendListeners.delete(listener);
  }

  /**
   * Whole batches starting with the one that contains `offset`, up to `maxBytes` (but always at
   * least one batch, so a batch bigger than the limit still makes progress, as in KIP-74).
   * Empty when `offset` is the log end. The caller checks the offset is in range. With `upTo`
   * (the last stable offset, for read_committed) no batch starting at or after it is returned.
   */
  read(fromOffset: number, maxBytes: number, upTo = this.nextOffset): Buffer {
    if (fromOffset >= upTo) return Buffer.alloc(0);
    let offset = fromOffset;
    let index = this.segmentIndexFor(offset);
    let segment = this.segments[index] as Segment;
    // compaction can leave a segment's tail (or all of it) empty: go on with the next one
    while (offset >= segment.nextOffset) {
      index++;
      if (index >= this.segments.length) return Buffer.alloc(0);
      segment = this.segments[index] as Segment;
      offset = Math.max(offset, segment.baseOffset);
    }
    const { position, header } = segment.positionOf(offset);
    const firstSize = BATCH_LOG_OVERHEAD + header.batchLength;
    const length = Math.min(segment.size - position, Math.max(firstSize, maxBytes));
    const chunk = segment.read(position, length);
    // cut at the last complete batch: clients handle partial batches, but there is no need
    let end = 0;
    while (chunk.length - end >= BATCH_LOG_OVERHEAD) {
      const size = BATCH_LOG_OVERHEAD + chunk.readInt32BE(end + 8);
      if (end + size > chunk.length) break;
      if (end > 0 && Number(chunk.readBigInt64BE(end)) >= upTo) break;
      end += size;
    }
    return chunk.subarray(0, end);
  }

  private segmentIndexFor(offset: number): number {
    let low = 0;
    let high = this.segments.length - 1;
    let found = 0;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if ((this.segments[middle] as Segment).baseOffset <= offset) {
        found = middle;
        low = middle + 1;
      } else high = middle - 1;
    }
    return found;
  }

  /**
   * The first offset whose record timestamp is >= `timestamp` and that record's timestamp,
   * or undefined when every record is older (ListOffsets by timestamp).
   */
  offsetForTimestamp(timestamp: number): { offset: number; timestamp: number } | undefined {
    for (const segment of this.segments) {
      for (const { position, header } of segment.headers()) {
        if (header.maxTimestamp < timestamp) continue;
        const batch = segment.read(position, BATCH_LOG_OVERHEAD + header.batchLength);
        try {
          const record = decodeRecords(batch).find((candidate) => candidate.timestamp >= timestamp);
          if (record) return { offset: record.offset, timestamp: record.timestamp };
        } catch {
          // a codec we cannot decode (snappy, lz4, zstd): the batch granularity is the best answer
          return { offset: header.baseOffset, timestamp: header.maxTimestamp };
        }
      }
    }
    return undefined;
  }

  close(): void {
    for (const listener of this.appendListeners) listener();
    this.appendListeners.clear();
    for (const segment of this.segments) segment.close();
  }

  /** Closes and removes the partition's files (DeleteTopics). */
  destroy(): void {
    this.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The segment's batches that start below `offset`, read one at a time. */
function* batchesBelow(segment: Segment, offset: number): Generator<{ header: BatchHeader; bytes: Buffer }> {
  for (const batch of segment.batches()) {
    if (batch.header.baseOffset >= offset) return;
    yield batch;
  }
}
