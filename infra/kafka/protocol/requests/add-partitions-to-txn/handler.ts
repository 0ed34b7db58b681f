/** AddPartitionsToTxn: the producer names the partitions its transaction will write to. */
import { ErrorCode } from '../../api-keys.ts';
import type { RequestContext } from '../../context.ts';

export interface AddPartitionsToTxnRequest {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  topics: Array<{ name: string; partitions: number[] }>;
}

export interface AddPartitionsToTxnResponse {
  throttleTimeMs: number;
  results: Array<{ name: string; partitions: Array<{ index: number; errorCode: number }> }>;
}

export function handleAddPartitionsToTxn(
  request: AddPartitionsToTxnRequest,
  ctx: RequestContext,
): AddPartitionsToTxnResponse {
  const wanted = request.topics.flatMap((topic) =>
    topic.partitions.map((partition) => ({ topic: topic.name, partition })),
  );
  const codes = ctx.broker.transactions.addPartitions(request, wanted);
  let at = 0;
  return {
    throttleTimeMs: 0,
    results: request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((index) => ({ index, errorCode: codes[at++] ?? ErrorCode.NONE })),
    })),
  };
}
