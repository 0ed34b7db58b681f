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
 * Hands out a new producer id (epoch 0) for idempotent producers; ids are persisted so they are
 * never reused across restarts. Transactions are not implemented: a transactional id is refused.
 */
export function handleInitProducerId(
  request: InitProducerIdRequest,
  ctx: RequestContext,
): InitProducerIdResponse {
  if (request.transactionalId !== null) {
    return {
      throttleTimeMs: 0,
      errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
      producerId: -1,
      producerEpoch: -1,
    };
  }
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    producerId: ctx.broker.meta.allocateProducerId(),
    producerEpoch: 0,
  };
}
