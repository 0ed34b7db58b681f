/**
 * FindCoordinator: this single-node broker coordinates every group (and every transactional id),
 * so the answer is always the broker itself, as seen through the listener the client used.
 */
import { coordinatorOf } from '../../../groups/index.ts';
import { ErrorCode } from '../../api-keys.ts';
import type { RequestContext } from '../../context.ts';

/** key_type of FindCoordinator v1+: 0 group, 1 transaction. */
export const KeyType = { group: 0, transaction: 1 } as const;

export interface FindCoordinatorRequest {
  key: string;
  keyType: number;
}

export interface FindCoordinatorResponse {
  errorCode: number;
  errorMessage: string | null;
  nodeId: number;
  host: string;
  port: number;
}

export function handleFindCoordinator(
  request: FindCoordinatorRequest,
  ctx: RequestContext,
): FindCoordinatorResponse {
  if (request.keyType !== KeyType.group && request.keyType !== KeyType.transaction) {
    return failure(ErrorCode.INVALID_REQUEST, `unknown key type ${request.keyType}`);
  }
  if (request.keyType === KeyType.group && coordinatorOf(ctx) === undefined) {
    return failure(ErrorCode.COORDINATOR_NOT_AVAILABLE, 'this broker runs no group coordinator');
  }
  return {
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    nodeId: ctx.nodeId,
    host: ctx.listener.advertisedHost,
    port: ctx.listener.advertisedPort,
  };
}

function failure(errorCode: number, errorMessage: string): FindCoordinatorResponse {
  return { errorCode, errorMessage, nodeId: -1, host: '', port: -1 };
}
