/**
 * The transaction coordinator (KIP-98): one state machine per transactional id, durable in
 * transactions.json (see state-store.ts), writing commit/abort markers into the partitions.
 *
 * Guarantee: a transaction's records and its consumer offsets take effect together or not at
 * all. A read_committed consumer sees its records only once the commit marker is in every
 * partition; the offsets sent with it (TxnOffsetCommit) reach the group only on commit. Prevents
 * a zombie (an older producer with the same transactional id) from adding to a newer one's work:
 * each InitProducerId bumps the epoch, and batches or requests with an older epoch are fenced
 * with INVALID_PRODUCER_EPOCH (what the v0-v1 request versions advertised here answer; the newer
 * PRODUCER_FENCED code only exists from InitProducerId v3 / EndTxn v2 on).
 *
 * On a single node the markers are written synchronously by EndTxn, so the Prepare* states last
 * only between two writes of the state file; a broker killed in between finishes the transaction
 * when it starts again. An open transaction whose timeout passed (checked every
 * `abortCheckIntervalMs`, restarts included: the start time is wall-clock and durable) is
 * aborted with a bumped epoch, as Kafka does, so its producer is fenced if it comes back.
 */
import type { Logger } from 'pino';
import type { PartitionLog } from '../log/partition-log.ts';
import { ErrorCode } from '../protocol/api-keys.ts';
import { ControlType } from '../protocol/records.ts';
import {
  type PendingOffset,
  type TransactionState,
  TransactionStateStore,
  type TransactionStatus,
} from './state-store.ts';

/** Kafka's transaction.max.timeout.ms default: 15 minutes. */
export const MAX_TRANSACTION_TIMEOUT_MS = 15 * 60 * 1000;
const MAX_EPOCH = 32_767;
/** A single coordinator that never fails over: its epoch never changes. */
const COORDINATOR_EPOCH = 0;

export interface TransactionCoordinatorOptions {
  dataDir: string;
  logger: Logger;
  allocateProducerId(): number;
  partition(topic: string, partition: number): PartitionLog | undefined;
  /** applies a committed transaction's offsets to the consumer groups */
  commitOffsets(offsets: PendingOffset[]): void;
  /** how often open transactions are checked against their timeout (default 1000 ms) */
  abortCheckIntervalMs?: number;
  now?: () => number;
}

export interface ProducerIdAndEpoch {
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

export interface TransactionalRequest {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
}

export class TransactionCoordinator {
  private readonly options: TransactionCoordinatorOptions;
  private readonly store: TransactionStateStore;
  private readonly states = new Map<string, TransactionState>();
  private readonly byProducerId = new Map<number, TransactionState>();
  private readonly timer: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(options: TransactionCoordinatorOptions) {
    this.options = options;
    this.now = options.now ?? Date.now;
    this.store = new TransactionStateStore(options.dataDir);
    for (const state of this.store.load()) this.index(state);
    this.timer = setInterval(() => this.abortTimedOut(), options.abortCheckIntervalMs ?? 1000);
    this.timer.unref();
  }

  /**
   * Finishes transactions a killed broker left between the prepare and the complete write (call
   * once the group coordinator is plugged in, since a commit hands it the offsets).
   */
  recover(): void {
    for (const state of this.states.values()) {
      if (state.status === 'PrepareCommit') this.complete(state, 'commit');
      else if (state.status === 'PrepareAbort') this.complete(state, 'abort');
    }
  }

  private index(state: TransactionState): void {
    const previous = this.states.get(state.transactionalId);
    if (previous) this.byProducerId.delete(previous.producerId);
    this.states.set(state.transactionalId, state);
    this.byProducerId.set(state.producerId, state);
  }

  private save(): void {
    this.store.save(this.states.values());
  }

  /**
   * InitProducerId with a transactional id: a new id gets a producer id at epoch 0, a known one
   * the next epoch (which fences the previous producer); its open transaction is aborted first.
   */
  initProducerId(transactionalId: string, timeoutMs: number): ProducerIdAndEpoch {
    if (timeoutMs <= 0 || timeoutMs > MAX_TRANSACTION_TIMEOUT_MS) {
      return { errorCode: ErrorCode.INVALID_TRANSACTION_TIMEOUT, producerId: -1, producerEpoch: -1 };
    }
    const existing = this.states.get(transactionalId);
    let state: TransactionState;
    if (!existing) {
      state = fresh(transactionalId, this.options.allocateProducerId(), 0, timeoutMs);
    } else {
      if (existing.status === 'Ongoing')
        this.abortWithBump(existing, 'a new producer took the transactional id');
      const epoch = existing.producerEpoch + 1;
      state =
        epoch > MAX_EPOCH
          ? fresh(transactionalId, this.options.allocateProducerId(), 0, timeoutMs)
          : fresh(transactionalId, existing.producerId, epoch, timeoutMs);
    }
    this.index(state);
    this.save();
    return { errorCode: ErrorCode.NONE, producerId: state.producerId, producerEpoch: state.producerEpoch };
  }

  /** The error for a request that names this producer, or NONE when it is the current one. */
  private check(request: TransactionalRequest): { errorCode: number; state?: TransactionState } {
    const state = this.states.get(request.transactionalId);
    if (!state || state.producerId !== request.producerId) {
      return { errorCode: ErrorCode.INVALID_PRODUCER_ID_MAPPING };
    }
    if (state.producerEpoch !== request.producerEpoch) return { errorCode: ErrorCode.INVALID_PRODUCER_EPOCH };
    if (state.status === 'PrepareCommit' || state.status === 'PrepareAbort') {
      return { errorCode: ErrorCode.CONCURRENT_TRANSACTIONS };
    }
    return { errorCode: ErrorCode.NONE, state };
  }

  /** Opens the transaction (if needed) and adds the partitions; one error code per partition. */
  addPartitions(
    request: TransactionalRequest,
    partitions: Array<{ topic: string; partition: number }>,
  ): number[] {
    const { errorCode, state } = this.check(request);
    if (!state) return partitions.map(() => errorCode);
    const missing = partitions.map(({ topic, partition }) => !this.options.partition(topic, partition));
    if (missing.some(Boolean)) {
      return missing.map((absent) =>
        absent ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.OPERATION_NOT_ATTEMPTED,
      );
    }
    this.begin(state);
    for (const added of partitions) {
      if (!state.partitions.some((p) => p.topic === added.topic && p.partition === added.partition)) {
        state.partitions.push({ topic: added.topic, partition: added.partition });
      }
    }
    this.save();
    return partitions.map(() => ErrorCode.NONE);
  }

  /** AddOffsetsToTxn: the group's offsets may now be sent with the transaction. */
  addOffsets(request: TransactionalRequest, groupId: string): number {
    const { errorCode, state } = this.check(request);
    if (!state) return errorCode;
    this.begin(state);
    if (!state.groups.includes(groupId)) state.groups.push(groupId);
    this.save();
    return ErrorCode.NONE;
  }

  /** TxnOffsetCommit: offsets kept with the transaction until it ends; one code per partition. */
  commitOffsets(
    request: TransactionalRequest & { groupId: string },
    offsets: Array<{ topic: string; partition: number; offset: number; metadata: string }>,
  ): number[] {
    const { errorCode, state } = this.check(request);
    if (!state) return offsets.map(() => errorCode);
    if (state.status !== 'Ongoing' || !state.groups.includes(request.groupId)) {
      return offsets.map(() => ErrorCode.INVALID_TXN_STATE);
    }
    const codes = offsets.map((offset) => {
      if (!this.options.partition(offset.topic, offset.partition))
        return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      state.pendingOffsets = state.pendingOffsets.filter(
        (p) =>
          !(p.groupId === request.groupId && p.topic === offset.topic && p.partition === offset.partition),
      );
      state.pendingOffsets.push({ groupId: request.groupId, ...offset });
      return ErrorCode.NONE;
    });
    this.save();
    return codes;
  }

  /** EndTxn: commits or aborts the open transaction; a retry of a finished one answers NONE. */
  endTransaction(request: TransactionalRequest, commit: boolean): number {
    const { errorCode, state } = this.check(request);
    if (!state) return errorCode;
    if (state.status === 'Ongoing') {
      state.status = commit ? 'PrepareCommit' : 'PrepareAbort';
      this.save();
      this.complete(state, commit ? 'commit' : 'abort');
      return ErrorCode.NONE;
    }
    const retried: TransactionStatus = commit ? 'CompleteCommit' : 'CompleteAbort';
    return state.status === retried ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE;
  }

  /**
   * Produce of a transactional batch: the producer must be the current epoch of an open
   * transaction that added this partition (else the batch would have no marker to end it).
   */
  verifyWrite(producerId: number, producerEpoch: number, topic: string, partition: number): number {
    const state = this.byProducerId.get(producerId);
    if (!state) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (producerEpoch !== state.producerEpoch) return ErrorCode.INVALID_PRODUCER_EPOCH;
    const added = state.partitions.some((p) => p.topic === topic && p.partition === partition);
    if (state.status !== 'Ongoing' || !added) return ErrorCode.INVALID_TXN_STATE;
    return ErrorCode.NONE;
  }

  private begin(state: TransactionState): void {
    if (state.status === 'Ongoing') return;
    state.status = 'Ongoing';
    state.startedAtMs = this.now();
    state.partitions = [];
    state.groups = [];
    state.pendingOffsets = [];
  }

  /** Writes the markers, applies (or drops) the offsets and records the outcome. */
  private complete(state: TransactionState, outcome: 'commit' | 'abort'): void {
    for (const { topic, partition } of state.partitions) {
      this.options.partition(topic, partition)?.appendMarker({
        producerId: state.producerId,
        producerEpoch: state.producerEpoch,
        type: outcome === 'commit' ? ControlType.commit : ControlType.abort,
        coordinatorEpoch: COORDINATOR_EPOCH,
      });
    }
    if (outcome === 'commit' && state.pendingOffsets.length > 0)
      this.options.commitOffsets(state.pendingOffsets);
    state.status = outcome === 'commit' ? 'CompleteCommit' : 'CompleteAbort';
    state.startedAtMs = -1;
    state.partitions = [];
    state.groups = [];
    state.pendingOffsets = [];
    this.save();
  }

  /** Aborts with the next epoch, so the producer that opened the transaction is fenced. */
  private abortWithBump(state: TransactionState, reason: string): void {
    this.options.logger.info(
      { transactionalId: state.transactionalId, producerId: state.producerId, reason },
      'aborting an open transaction',
    );
    if (state.producerEpoch < MAX_EPOCH) state.producerEpoch += 1;
    state.status = 'PrepareAbort';
    this.save();
    this.complete(state, 'abort');
  }

  abortTimedOut(): void {
    const now = this.now();
    for (const state of this.states.values()) {
      if (state.status === 'Ongoing' && now >= state.startedAtMs + state.timeoutMs) {
        this.abortWithBump(state, `timed out after ${state.timeoutMs} ms`);
      }
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}

function fresh(
  transactionalId: string,
  producerId: number,
  epoch: number,
  timeoutMs: number,
): TransactionState {
  return {
    transactionalId,
    producerId,
    producerEpoch: epoch,
    timeoutMs,
    status: 'Empty',
    startedAtMs: -1,
    partitions: [],
    groups: [],
    pendingOffsets: [],
  };
}
