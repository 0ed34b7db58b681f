/**
 * history.jsonl: one JSON line per client operation (with start/end and outcome) and per fault
 * event, times in milliseconds since the run started. The engine keeps the entries in memory too,
 * for the checks that read the client's view (latency, outcomes).
 */
import { createWriteStream, type WriteStream } from 'node:fs';

/** Jepsen's three outcomes: ok (it happened), fail (it certainly did not), info (unknown: timeout, cut connection). */
export type Outcome = 'ok' | 'fail' | 'info';

export interface OperationEntry {
  type: 'op';
  /** Sequence number of the operation in the workload (0-based), stable for a seed. */
  index: number;
  op: 'place-order';
  /** Which of the bounded-concurrency workers ran it. */
  worker: number;
  customer: string;
  lines: Array<{ sku: string; quantity: number }>;
  start: number;
  end: number;
  outcome: Outcome;
  /** HTTP status when a response came back. */
  status?: number;
  orderId?: string;
  error?: string;
}

export interface FaultEntry {
  type: 'fault';
  /** Index of the fault in the scenario's `faults` list. */
  fault: number;
  kind: string;
  event: 'start' | 'heal' | 'error';
  time: number;
  detail?: string;
}

export interface PhaseEntry {
  type: 'phase';
  phase: string;
  time: number;
}

export type HistoryEntry = OperationEntry | FaultEntry | PhaseEntry;

export interface History {
  readonly entries: HistoryEntry[];
  /** Milliseconds since the run started. */
  now(): number;
  append(entry: HistoryEntry): void;
  operations(): OperationEntry[];
  close(): Promise<void>;
}

export function createHistory(file: string | undefined, startedAt = performance.now()): History {
  const stream: WriteStream | undefined = file ? createWriteStream(file, { flags: 'w' }) : undefined;
  const entries: HistoryEntry[] = [];
  return {
    entries,
    now: () => Math.round((performance.now() - startedAt) * 10) / 10,
    append(entry) {
      entries.push(entry);
      stream?.write(`${JSON.stringify(entry)}\n`);
    },
    operations: () => entries.filter((entry): entry is OperationEntry => entry.type === 'op'),
    close: () =>
      new Promise<void>((resolve, reject) => {
        if (!stream) return resolve();
        stream.end((error?: Error | null) => (error ? reject(error) : resolve()));
      }),
  };
}
