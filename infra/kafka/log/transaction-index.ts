/**
 * Transaction bookkeeping of one partition: which producers have an open transaction here (from
 * the offset of their first transactional batch) and which transactions ended in an abort.
 *
 * Guarantee: a read_committed consumer never reads past the last stable offset (the first offset
 * of the oldest open transaction), and it is told of every aborted transaction in the range it
 * fetched, so it drops those records. Prevents the dirty read of records a transaction may still
 * abort, and the read of records it did abort.
 *
 * Like Kafka's producer state and .txnindex, but rebuilt from the batch headers and control
 * batches when the log opens (nothing extra on disk). The aborted list is ordered by marker
 * offset and pruned below the log start offset, so it stays bounded by what the log retains.
 */
import type { ControlTypeValue } from '../protocol/records.ts';
import { ControlType } from '../protocol/records.ts';

export interface AbortedTransaction {
  producerId: number;
  firstOffset: number;
  /** offset of the abort marker */
  lastOffset: number;
}

export class TransactionIndex {
  /** producer id → offset of its open transaction's first batch on this partition */
  private readonly open = new Map<number, number>();
  private aborted: AbortedTransaction[] = [];

  /** A transactional data batch was appended at `baseOffset`. */
  onData(producerId: number, baseOffset: number): void {
    if (!this.open.has(producerId)) this.open.set(producerId, baseOffset);
  }

  /** A marker for `producerId` was appended at `offset`. */
  onMarker(producerId: number, type: ControlTypeValue, offset: number): void {
    const firstOffset = this.open.get(producerId);
    if (firstOffset === undefined) return;
    this.open.delete(producerId);
    if (type === ControlType.abort) this.aborted.push({ producerId, firstOffset, lastOffset: offset });
  }

  /** The first offset of the oldest open transaction, or `highWatermark` when none is open. */
  lastStableOffset(highWatermark: number): number {
    let stable = highWatermark;
    for (const firstOffset of this.open.values()) stable = Math.min(stable, firstOffset);
    return stable;
  }

  /** Aborted transactions with records in [from, to): what a Fetch of that range must list. */
  abortedIn(from: number, to: number): AbortedTransaction[] {
    let low = 0;
    let high = this.aborted.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((this.aborted[middle] as AbortedTransaction).lastOffset < from) low = middle + 1;
      else high = middle;
    }
    const found: AbortedTransaction[] = [];
    for (let index = low; index < this.aborted.length; index++) {
      const aborted = this.aborted[index] as AbortedTransaction;
      if (aborted.firstOffset < to) found.push(aborted);
    }
    return found;
  }

  /** Forgets aborted transactions wholly below the log start offset (retention, DeleteRecords). */
  truncateBefore(logStartOffset: number): void {
    if (this.aborted.length > 0 && (this.aborted[0] as AbortedTransaction).lastOffset < logStartOffset) {
      this.aborted = this.aborted.filter((aborted) => aborted.lastOffset >= logStartOffset);
    }
  }
}
