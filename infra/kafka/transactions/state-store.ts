/**
 * The transaction coordinator's durable state: one JSON document, `<dataDir>/transactions.json`,
 * rewritten (temp file + rename) on every change of a transaction, so a crash leaves either the
 * old or the new state, never half of one. The state is small (one entry per transactional id,
 * with the partitions and offsets of its current transaction), so rewriting it is cheap.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type TransactionStatus =
  | 'Empty'
  | 'Ongoing'
  | 'PrepareCommit'
  | 'PrepareAbort'
  | 'CompleteCommit'
  | 'CompleteAbort';

export interface PendingOffset {
  groupId: string;
  topic: string;
  partition: number;
  offset: number;
  metadata: string;
}

export interface TransactionState {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  timeoutMs: number;
  status: TransactionStatus;
  /** wall-clock start of the current transaction (-1 when none), kept across restarts */
  startedAtMs: number;
  partitions: Array<{ topic: string; partition: number }>;
  groups: string[];
  /** TxnOffsetCommit offsets, applied to the groups only when the transaction commits */
  pendingOffsets: PendingOffset[];
}

const FILE_NAME = 'transactions.json';

export class TransactionStateStore {
  private readonly path: string;

  constructor(dataDir: string) {
    this.path = join(dataDir, FILE_NAME);
  }

  load(): TransactionState[] {
    if (!existsSync(this.path)) return [];
    return JSON.parse(readFileSync(this.path, 'utf8')) as TransactionState[];
  }

  save(states: Iterable<TransactionState>): void {
    const temp = `${this.path}.tmp`;
    writeFileSync(temp, JSON.stringify([...states]));
    renameSync(temp, this.path);
  }
}
