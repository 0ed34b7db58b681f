/** EndTxn: commits or aborts the producer's transaction (markers in every partition it added). */
import type { RequestContext } from '../../context.ts';

export interface EndTxnRequest {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
  committed: boolean;
}

export interface EndTxnResponse {
  throttleTimeMs: number;
  errorCode: number;
}

export function handleEndTxn(request: EndTxnRequest, ctx: RequestContext): EndTxnResponse {
  return { throttleTimeMs: 0, errorCode: ctx.broker.transactions.endTransaction(request, request.committed) };
}
