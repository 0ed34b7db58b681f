/**
 * TxnOffsetCommit: consumer offsets sent within a transaction. They are held by the transaction
 * coordinator and reach the group only when the transaction commits (dropped on abort).
 */
import type { RequestContext } from '../../context.ts';

export interface TxnOffsetCommitRequest {
  transactionalId: string;
  groupId: string;
  producerId: number;
  producerEpoch: number;
  topics: Array<{
    name: string;
    partitions: Array<{ index: number; committedOffset: number; metadata: string | null }>;
  }>;
}

export interface TxnOffsetCommitResponse {
  throttleTimeMs: number;
  topics: Array<{ name: string; partitions: Array<{ index: number; errorCode: number }> }>;
}

export function handleTxnOffsetCommit(
  request: TxnOffsetCommitRequest,
  ctx: RequestContext,
): TxnOffsetCommitResponse {
  const offsets = request.topics.flatMap((topic) =>
    topic.partitions.map((p) => ({
      topic: topic.name,
      partition: p.index,
      offset: p.committedOffset,
      metadata: p.metadata ?? '',
    })),
  );
  const codes = ctx.broker.transactions.commitOffsets(request, offsets);
  let at = 0;
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((p) => ({ index: p.index, errorCode: codes[at++] ?? 0 })),
    })),
  };
}
