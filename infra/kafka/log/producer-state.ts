/**
 * Idempotent-producer state of one partition: for each producer id, its epoch and the last few
 * batches it appended (Kafka keeps 5, matching max.in.flight.requests.per.connection <= 5).
 *
 * Rules (Kafka's ProducerStateManager, simplified to what a single-node broker needs):
 * - a batch already appended (same epoch, same first/last sequence) is a duplicate: it is not
 *   appended again and the producer gets the original base offset back;
 * - with the same epoch, the first sequence must follow the last appended one (wrapping at
 *   2^31 - 1), else OUT_OF_ORDER_SEQUENCE_NUMBER;
 * - an older epoch is fenced (INVALID_PRODUCER_EPOCH); a newer epoch must start at sequence 0
 *   (else OUT_OF_ORDER_SEQUENCE_NUMBER);
 * - a producer this partition has no state for must start at sequence 0, else
 *   UNKNOWN_PRODUCER_ID (Kafka 2.x semantics; this log has no retention, so the state of a
 *   producer that wrote here is never lost, restarts included).
 * The state is rebuilt from the batch headers when the log is opened, so it survives restarts.
 */
import { ErrorCode } from '../protocol/api-keys.ts';
import type { BatchHeader } from '../protocol/records.ts';

const CACHED_BATCHES = 5;

interface AppendedBatch {
  firstSequence: number;
  lastSequence: number;
  baseOffset: number;
}

interface ProducerEntry {
  epoch: number;
  batches: AppendedBatch[];
}

export type SequenceVerdict =
  | { kind: 'append' }
  | { kind: 'duplicate'; baseOffset: number }
  | { kind: 'error'; errorCode: number; message: string };

function lastSequenceOf(header: BatchHeader): number {
  // sequences wrap from 2^31 - 1 to 0
  return (header.baseSequence + header.lastOffsetDelta) % 2 ** 31;
}

export class ProducerStateTable {
  private readonly producers = new Map<number, ProducerEntry>();

  /** Decides what to do with an idempotent batch (producerId >= 0) before it is appended. */
  check(header: BatchHeader): SequenceVerdict {
    const entry = this.producers.get(header.producerId);
    const firstSequence = header.baseSequence;
    if (!entry) {
      if (firstSequence !== 0) {
        return {
          kind: 'error',
          errorCode: ErrorCode.UNKNOWN_PRODUCER_ID,
          message: `no state for producer ${header.producerId} on this partition and sequence ${firstSequence} is not 0`,
        };
      }
      return { kind: 'append' };
    }
    if (header.producerEpoch < entry.epoch) {
      return {
        kind: 'error',
        errorCode: ErrorCode.INVALID_PRODUCER_EPOCH,
        message: `producer epoch ${header.producerEpoch} is older than ${entry.epoch}`,
      };
    }
    if (header.producerEpoch > entry.epoch) {
      if (firstSequence !== 0) {
        return {
          kind: 'error',
          errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
          message: `new epoch ${header.producerEpoch} must start at sequence 0, got ${firstSequence}`,
        };
      }
      return { kind: 'append' };
    }
    const lastSequence = lastSequenceOf(header);
    const duplicate = entry.batches.find(
      (batch) => batch.firstSequence === firstSequence && batch.lastSequence === lastSequence,
    );
    if (duplicate) return { kind: 'duplicate', baseOffset: duplicate.baseOffset };
    const previous = entry.batches[entry.batches.length - 1];
    const expected = previous ? (previous.lastSequence + 1) % 2 ** 31 : 0;
    if (firstSequence !== expected) {
      return {
        kind: 'error',
        errorCode: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER,
        message: `expected sequence ${expected}, got ${firstSequence}`,
      };
    }
    return { kind: 'append' };
  }

  /** Records a batch that was appended at `baseOffset` (also used while replaying the log). */
  record(header: BatchHeader, baseOffset: number): void {
    let entry = this.producers.get(header.producerId);
    if (!entry || header.producerEpoch > entry.epoch) {
      entry = { epoch: header.producerEpoch, batches: [] };
      this.producers.set(header.producerId, entry);
    }
    entry.batches.push({
      firstSequence: header.baseSequence,
      lastSequence: lastSequenceOf(header),
      baseOffset,
    });
    if (entry.batches.length > CACHED_BATCHES) entry.batches.shift();
  }

  /**
   * A transaction marker was written for the producer: a newer epoch (a fenced or timed-out
   * transaction) replaces the entry, so batches of the older epoch are refused from now on and
   * the new epoch starts at sequence 0.
   */
  recordMarker(producerId: number, producerEpoch: number): void {
    const entry = this.producers.get(producerId);
    if (!entry || producerEpoch > entry.epoch)
      this.producers.set(producerId, { epoch: producerEpoch, batches: [] });
  }

  highestProducerId(): number {
    let highest = -1;
    for (const producerId of this.producers.keys()) highest = Math.max(highest, producerId);
    return highest;
  }
}
