/**
 * Log compaction (cleanup.policy=compact): keep only the latest record of every key.
 *
 * Guarantee: a consumer reading a compacted partition from the start still ends with the latest
 * value of every key (or its absence, once a tombstone — a null value — has been kept for
 * delete.retention.ms and then removed). Offsets never change; compaction only leaves gaps, so
 * committed offsets stay valid. Prevents unbounded growth of changelog-style topics.
 *
 * Simplifications of Kafka's cleaner, each on the safe side (keeps more, never less):
 * - only closed segments below the last stable offset are cleaned; the active segment is not;
 * - control batches and batches of a codec the broker cannot decode (snappy, lz4, zstd) are kept;
 * - records of aborted transactions are removed, as Kafka does;
 * - a tombstone goes once its own timestamp is older than delete.retention.ms (Kafka counts from
 *   the time the segment was first cleaned);
 * - a batch of an idempotent producer left without records is kept empty, so the producer's last
 *   sequence survives a restart (as Kafka retains such batches).
 */
import {
  type BatchHeader,
  Compression,
  compressionOf,
  decodeRecords,
  encodeBatch,
  isControl,
  isTransactional,
  type Record,
} from '../protocol/records.ts';

/** One batch as stored, with its header. */
export interface StoredBatch {
  header: BatchHeader;
  bytes: Buffer;
}

/** Null when the batch's records cannot be decoded here (the batch is then kept whole). */
function recordsOf(batch: StoredBatch): Record[] | null {
  const codec = compressionOf(batch.header);
  if (codec !== Compression.none && codec !== Compression.gzip) return null;
  return decodeRecords(batch.bytes);
}

function keyOf(record: Record): string | null {
  return record.key === null ? null : record.key.toString('base64');
}

/** Adds every key of `batches` to `latest` (key → offset of its latest record). */
export function collectLatest(
  batches: Iterable<StoredBatch>,
  latest: Map<string, number>,
  isAborted: (header: BatchHeader) => boolean,
): void {
  for (const batch of batches) {
    if (isControl(batch.header) || isAborted(batch.header)) continue;
    for (const record of recordsOf(batch) ?? []) {
      const key = keyOf(record);
      if (key !== null) latest.set(key, record.offset);
    }
  }
}

/**
 * One segment after cleaning: its batches, or undefined when nothing would change (the segment
 * is then not rewritten), and whether tombstones are left in it (a later pass must look again
 * once they are old enough). `tombstoneDeadline`: tombstones older than it are removed.
 */
export function compactSegment(
  batches: StoredBatch[],
  latest: Map<string, number>,
  isAborted: (header: BatchHeader) => boolean,
  tombstoneDeadline: number,
): { batches: Buffer[] | undefined; tombstonesLeft: boolean } {
  let changed = false;
  let tombstonesLeft = false;
  const kept: Buffer[] = [];
  for (const batch of batches) {
    const { header } = batch;
    if (isControl(header)) {
      kept.push(batch.bytes);
      continue;
    }
    const records = isAborted(header) ? [] : recordsOf(batch);
    if (records === null) {
      kept.push(batch.bytes);
      continue;
    }
    const survivors = records.filter((record) => {
      const key = keyOf(record);
      if (key === null) return true;
      if (latest.get(key) !== record.offset) return false;
      if (record.value !== null) return true;
      if (record.timestamp < tombstoneDeadline) return false;
      tombstonesLeft = true;
      return true;
    });
    if (survivors.length === header.recordCount) {
      kept.push(batch.bytes);
      continue;
    }
    changed = true;
    if (survivors.length === 0 && header.producerId < 0) continue;
    kept.push(rebuild(header, survivors));
  }
  return { batches: changed ? kept : undefined, tombstonesLeft };
}

/** The batch with only `records`, at the same offsets and with the same producer fields. */
function rebuild(header: BatchHeader, records: Record[]): Buffer {
  return encodeBatch({
    // an emptied batch keeps the original timestamps (time retention reads them)
    timestamps: { first: header.firstTimestamp, max: header.maxTimestamp },
    baseOffset: header.baseOffset,
    lastOffsetDelta: header.lastOffsetDelta,
    compression: compressionOf(header) === Compression.gzip ? 'gzip' : 'none',
    producerId: header.producerId,
    producerEpoch: header.producerEpoch,
    baseSequence: header.baseSequence,
    partitionLeaderEpoch: header.partitionLeaderEpoch,
    transactional: isTransactional(header),
    records: records.map((record) => ({
      offsetDelta: record.offset - header.baseOffset,
      key: record.key,
      value: record.value,
      timestamp: record.timestamp,
      headers: record.headers,
    })),
  });
}
