/** AddOffsetsToTxn: the transaction will carry consumer offsets of this group (TxnOffsetCommit). */
import type { RequestContext } from '../../context.ts';

export interface AddOffsetsToTxnRequest {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  groupId: string;
}

export interface AddOffsetsToTxnResponse {
  throttleTimeMs: number;
  errorCode: number;
}

export function handleAddOffsetsToTxn(
  request: AddOffsetsToTxnRequest,
  ctx: RequestContext,
): AddOffsetsToTxnResponse {
  return { throttleTimeMs: 0, errorCode: ctx.broker.transactions.addOffsets(request, request.groupId) };
}
