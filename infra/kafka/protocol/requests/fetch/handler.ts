import type { PartitionLog } from '../../../log/partition-log.ts';
import { ErrorCode } from '../../api-keys.ts';
import type { RequestContext } from '../../context.ts';
import { lastOffset, readBatchHeader, splitBatches } from '../../records.ts';

/** isolation_level of Fetch v4+ and ListOffsets v2+ */
export const IsolationLevel = { readUncommitted: 0, readCommitted: 1 } as const;

export interface FetchPartitionRequest {
  index: number;
  fetchOffset: number;
  partitionMaxBytes: number;
}

export interface FetchRequest {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  isolationLevel: number;
  /** v7+ fetch sessions (KIP-227); 0 / -1 means a full, sessionless fetch */
  sessionId: number;
  sessionEpoch: number;
  topics: Array<{ name: string; partitions: FetchPartitionRequest[] }>;
}

export interface FetchPartitionResponse {
  index: number;
  errorCode: number;
  highWatermark: number;
  lastStableOffset: number;
  logStartOffset: number;
  /** read_committed: the aborted transactions with records in the returned range */
  abortedTransactions: Array<{ producerId: number; firstOffset: number }>;
  records: Buffer;
}

export interface FetchResponse {
  throttleTimeMs: number;
  errorCode: number;
  sessionId: number;
  topics: Array<{ name: string; partitions: FetchPartitionResponse[] }>;
}

const FETCH_SESSION_ID_NOT_FOUND = 70;

interface Collected {
  response: FetchResponse;
  bytes: number;
  /** a partition error ends the long poll at once, as in Kafka */
  hasErrors: boolean;
  logs: PartitionLog[];
}

function collect(request: FetchRequest, ctx: RequestContext): Collected {
  const { topics } = ctx.broker;
  let budget = request.maxBytes > 0 ? request.maxBytes : Number.MAX_SAFE_INTEGER;
  let bytes = 0;
  let hasErrors = false;
  const logs: PartitionLog[] = [];
  const responseTopics = request.topics.map((topic) => ({
    name: topic.name,
    partitions: topic.partitions.map((partition): FetchPartitionResponse => {
      const log = topics.partition(topic.name, partition.index);
      if (!log) {
        hasErrors = true;
        return {
          index: partition.index,
          errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
          highWatermark: -1,
          lastStableOffset: -1,
          logStartOffset: -1,
          abortedTransactions: [],
          records: Buffer.alloc(0),
        };
      }
      logs.push(log);
      const lastStableOffset = log.lastStableOffset;
      const base = {
        index: partition.index,
        highWatermark: log.nextOffset,
        lastStableOffset,
        logStartOffset: log.logStartOffset,
        abortedTransactions: [],
      };
      if (partition.fetchOffset < log.logStartOffset || partition.fetchOffset > log.nextOffset) {
        hasErrors = true;
        return { ...base, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE, records: Buffer.alloc(0) };
      }
      const readCommitted = request.isolationLevel === IsolationLevel.readCommitted;
      const upTo = readCommitted ? lastStableOffset : log.nextOffset;
      // the first non-empty partition always returns at least one whole batch (KIP-74)
      const limit = bytes === 0 ? partition.partitionMaxBytes : Math.min(partition.partitionMaxBytes, budget);
      const records = limit > 0 ? log.read(partition.fetchOffset, limit, upTo) : Buffer.alloc(0);
      bytes += records.length;
      budget -= records.length;
      const abortedTransactions =
        readCommitted && records.length > 0
          ? log
              .abortedTransactions(partition.fetchOffset, endOffsetOf(records))
              .map(({ producerId, firstOffset }) => ({ producerId, firstOffset }))
          : [];
      return { ...base, abortedTransactions, errorCode: ErrorCode.NONE, records };
    }),
  }));
  return {
    response: { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: 0, topics: responseTopics },
    bytes,
    hasErrors,
    logs,
  };
}

/** The offset after the last record of a chunk of whole batches. */
function endOffsetOf(records: Buffer): number {
  const { batches } = splitBatches(records);
  const last = batches[batches.length - 1];
  return last ? lastOffset(readBatchHeader(last)) + 1 : 0;
}

/** Resolves on the first append to any of `logs`, at `timeoutMs`, or when `signal` aborts. */
function waitForData(logs: PartitionLog[], timeoutMs: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const unsubscribers: Array<() => void> = [];
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      for (const unsubscribe of unsubscribers) unsubscribe();
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    signal.addEventListener('abort', done);
    for (const log of logs) unsubscribers.push(log.onAppend(done));
  });
}

/**
 * Long poll: answers as soon as `minBytes` are available, or at `maxWaitMs` with what there is.
 * Fetch sessions are declined (session id 0 in every response), which the protocol allows: the
 * clients then keep sending full fetches.
 */
export async function handleFetch(request: FetchRequest, ctx: RequestContext): Promise<FetchResponse> {
  if (request.sessionId !== 0 && request.sessionEpoch !== -1) {
    return { throttleTimeMs: 0, errorCode: FETCH_SESSION_ID_NOT_FOUND, sessionId: 0, topics: [] };
  }
  const deadline = Date.now() + Math.max(0, request.maxWaitMs);
  for (;;) {
    const collected = collect(request, ctx);
    const remaining = deadline - Date.now();
    if (
      collected.bytes >= Math.max(1, request.minBytes) ||
      collected.hasErrors ||
      remaining <= 0 ||
      ctx.signal.aborted
    ) {
      return collected.response;
    }
    await waitForData(collected.logs, remaining, ctx.signal);
    if (ctx.signal.aborted) return collected.response;
  }
}
