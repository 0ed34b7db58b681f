import { ErrorCode } from '../../api-keys.ts';
import type { RequestContext } from '../../context.ts';

export interface InitProducerIdRequest {
  transactionalId: string | null;
  transactionTimeoutMs: number;
}

export interface InitProducerIdResponse {
  throttleTimeMs: number;
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

/**
 * Without a transactional id: a new producer id (epoch 0) for an idempotent producer; ids are
 * persisted so they are never reused across restarts. With one: the transaction coordinator's
 * producer id and next epoch for that id (see transactions/coordinator.ts).
 */
export function handleInitProducerId(
  request: InitProducerIdRequest,
  ctx: RequestContext,
): InitProducerIdResponse {
  if (request.transactionalId !== null) {
    const answer = ctx.broker.transactions.initProducerId(
      request.transactionalId,
      request.transactionTimeoutMs,
    );
    return { throttleTimeMs: 0, ...answer };
  }
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    producerId: ctx.broker.meta.allocateProducerId(),
    producerEpoch: 0,
  };
}
