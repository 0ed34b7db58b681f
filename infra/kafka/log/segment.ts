/**
 * One segment file of a partition log: `<base offset, 20 digits>.log`, holding complete
 * RecordBatch v2 frames back to back, exactly as they go out in Fetch responses.
 *
 * The index is sparse and in memory (an entry every `indexIntervalBytes`), rebuilt by scanning
 * batch headers when the segment is opened: memory stays proportional to the log size divided
 * by the interval, the records themselves stay on disk.
 *
 * I/O is synchronous on purpose: appends are small writes into the page cache, and doing them
 * inline keeps offset assignment, the write and the producer-state update one atomic step for
 * the event loop (no interleaving between two Produce requests on the same partition).
 */
import {
  closeSync,
  fstatSync,
  fsyncSync,
  ftruncateSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  BATCH_HEADER_SIZE,
  BATCH_LOG_OVERHEAD,
  type BatchHeader,
  batchCrcIsValid,
  lastOffset,
  readBatchHeader,
} from '../protocol/records.ts';

export interface IndexEntry {
  /** base offset of the batch starting at `position` */
  offset: number;
  position: number;
}

export function segmentFileName(baseOffset: number): string {
  return `${String(baseOffset).padStart(20, '0')}.log`;
}

export function parseSegmentFileName(name: string): number | undefined {
  const match = /^(\d{20})\.log$/.exec(name);
  return match ? Number(match[1]) : undefined;
}

export interface ScanResult {
  /** bytes of complete, valid batches from the start of the file */
  validSize: number;
  /** bytes beyond validSize (a torn or corrupt tail) */
  discardedBytes: number;
  reason?: string;
}

const DEFAULT_WINDOW_BYTES = 256 * 1024;

/**
 * Sequential reads through a window: scanning batch headers costs one read(2) per window
 * (256 KiB by default) instead of one per batch.
 */
class WindowReader {
  private readonly fd: number;
  private readonly end: number;
  private window = Buffer.alloc(0);
  private windowStart = 0;

  private readonly windowBytes: number;

  constructor(fd: number, end: number, windowBytes = DEFAULT_WINDOW_BYTES) {
    this.fd = fd;
    this.end = end;
    this.windowBytes = windowBytes;
  }

  /** `length` bytes at `position` (fewer at the end of the file). */
  bytes(position: number, length: number): Buffer {
    const offsetInWindow = position - this.windowStart;
    if (offsetInWindow < 0 || offsetInWindow + length > this.window.length) {
      const size = Math.min(Math.max(this.windowBytes, length), this.end - position);
      const window = Buffer.allocUnsafe(Math.max(0, size));
      let read = 0;
      while (read < window.length) {
        const got = readSync(this.fd, window, read, window.length - read, position + read);
        if (got === 0) break;
        read += got;
      }
      this.window = window.subarray(0, read);
      this.windowStart = position;
      return this.window.subarray(0, Math.min(length, read));
    }
    return this.window.subarray(offsetInWindow, offsetInWindow + length);
  }
}

export class Segment {
  readonly baseOffset: number;
  readonly path: string;
  private readonly fd: number;
  private readonly indexIntervalBytes: number;
  private readonly index: IndexEntry[] = [];
  private bytesSinceIndexEntry = 0;
  size = 0;
  /** offset after the last batch of this segment */
  nextOffset: number;
  /** the largest record timestamp in the segment (time retention), -1 when empty */
  maxTimestamp = -1;

  private constructor(dir: string, baseOffset: number, indexIntervalBytes: number) {
    this.baseOffset = baseOffset;
    this.nextOffset = baseOffset;
    this.path = join(dir, segmentFileName(baseOffset));
    this.indexIntervalBytes = indexIntervalBytes;
    this.fd = openSync(this.path, 'a+');
  }

  static create(dir: string, baseOffset: number, indexIntervalBytes: number): Segment {
    return new Segment(dir, baseOffset, indexIntervalBytes);
  }

  /**
   * Opens an existing segment and rebuilds its index. With `verify`, every batch's CRC is checked
   * and the file is truncated after the last complete valid batch (crash recovery of the active
   * segment); `onBatch` sees every kept batch header (producer state replay).
   */
  static open(
    dir: string,
    baseOffset: number,
    options: {
      indexIntervalBytes: number;
      verify: boolean;
      onBatch: (header: BatchHeader, batch: () => Buffer) => void;
    },
  ): { segment: Segment; scan: ScanResult } {
    const segment = new Segment(dir, baseOffset, options.indexIntervalBytes);
    const scan = segment.scan(options.verify, options.onBatch);
    if (scan.discardedBytes > 0) {
      ftruncateSync(segment.fd, scan.validSize);
      fsyncSync(segment.fd);
    }
    return { segment, scan };
  }

  private scan(verify: boolean, onBatch: (header: BatchHeader, batch: () => Buffer) => void): ScanResult {
    const fileSize = fstatSync(this.fd).size;
    const reader = new WindowReader(this.fd, fileSize);
    let position = 0;
    let reason: string | undefined;
    while (position < fileSize) {
      if (fileSize - position < BATCH_HEADER_SIZE) {
        reason = 'incomplete batch header';
        break;
      }
      const header = readBatchHeader(reader.bytes(position, BATCH_HEADER_SIZE));
      const size = BATCH_LOG_OVERHEAD + header.batchLength;
      if (header.magic !== 2 || size < BATCH_HEADER_SIZE) {
        reason = `bad batch header at ${position}`;
        break;
      }
      if (position + size > fileSize) {
        reason = 'incomplete batch';
        break;
      }
      // compaction leaves gaps between batches, never overlaps
      if (header.baseOffset < this.nextOffset) {
        reason = `offset ${header.baseOffset} where ${this.nextOffset} or more was expected`;
        break;
      }
      if (verify) {
        if (!batchCrcIsValid(reader.bytes(position, size))) {
          reason = `CRC mismatch at ${position}`;
          break;
        }
      }
      this.indexBatch(header, position, size);
      const at = position;
      onBatch(header, () => Buffer.from(reader.bytes(at, size)));
      position += size;
    }
    this.size = position;
    const result: ScanResult = { validSize: position, discardedBytes: fileSize - position };
    if (reason !== undefined) result.reason = reason;
    return result;
  }

  private indexBatch(header: BatchHeader, position: number, size: number): void {
    if (position === 0 || this.bytesSinceIndexEntry >= this.indexIntervalBytes) {
      this.index.push({ offset: header.baseOffset, position });
      this.bytesSinceIndexEntry = 0;
    }
    this.bytesSinceIndexEntry += size;
    this.nextOffset = lastOffset(header) + 1;
    this.maxTimestamp = Math.max(this.maxTimestamp, header.maxTimestamp);
  }

  /** Appends one complete batch whose base offset is already set; returns its position. */
  append(batch: Buffer, header: BatchHeader, fsync: boolean): number {
    const position = this.size;
    let written = 0;
    while (written < batch.length) {
      written += writeSync(this.fd, batch, written, batch.length - written, position + written);
    }
    if (fsync) fsyncSync(this.fd);
    this.size += batch.length;
    this.indexBatch(header, position, batch.length);
    return position;
  }

  read(position: number, length: number): Buffer {
    const buffer = Buffer.allocUnsafe(length);
    let read = 0;
    while (read < length) {
      const got = readSync(this.fd, buffer, read, length - read, position + read);
      if (got === 0) break;
      read += got;
    }
    return buffer.subarray(0, read);
  }

  /** Position of the batch containing `offset` (which must be in [baseOffset, nextOffset)). */
  positionOf(offset: number): { position: number; header: BatchHeader } {
    let low = 0;
    let high = this.index.length - 1;
    let start = 0;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const entry = this.index[middle] as IndexEntry;
      if (entry.offset <= offset) {
        start = entry.position;
        low = middle + 1;
      } else high = middle - 1;
    }
    // the batch is at most one index interval (plus that batch) past the entry: a small window
    for (const found of this.headers(start, this.indexIntervalBytes * 2)) {
      if (lastOffset(found.header) >= offset) return found;
    }
    throw new Error(`offset ${offset} is not in segment ${this.path}`);
  }

  /** Every batch from the start, header and bytes, one read per batch (compaction). */
  *batches(): Generator<{ header: BatchHeader; bytes: Buffer }> {
    for (const { position, header } of this.headers()) {
      yield { header, bytes: this.read(position, BATCH_LOG_OVERHEAD + header.batchLength) };
    }
  }

  /** Every batch header from `position` on, in order (for timestamp lookups). */
  *headers(
    position = 0,
    windowBytes = DEFAULT_WINDOW_BYTES,
  ): Generator<{ position: number; header: BatchHeader }> {
    const reader = new WindowReader(this.fd, this.size, windowBytes);
    let at = position;
    while (at + BATCH_HEADER_SIZE <= this.size) {
      const header = readBatchHeader(reader.bytes(at, BATCH_HEADER_SIZE));
      yield { position: at, header };
      at += BATCH_LOG_OVERHEAD + header.batchLength;
    }
  }

  flush(): void {
    fsyncSync(this.fd);
  }

  close(): void {
    closeSync(this.fd);
  }

  /** Closes and removes the file (retention, DeleteRecords). */
  destroy(): void {
    this.close();
    rmSync(this.path, { force: true });
  }

  /**
   * Replaces this (closed-for-writes) segment's content with `batches` (compaction): a temp
   * file renamed over the old one, so a crash leaves either whole version. Returns the reopened
   * segment; this one is closed.
   */
  rewrite(dir: string, batches: Buffer[]): Segment {
    const temp = `${this.path}.cleaned`;
    writeFileSync(temp, Buffer.concat(batches));
    this.close();
    renameSync(temp, this.path);
    const { segment } = Segment.open(dir, this.baseOffset, {
      indexIntervalBytes: this.indexIntervalBytes,
      verify: false,
      onBatch: () => {},
    });
    return segment;
  }
}
