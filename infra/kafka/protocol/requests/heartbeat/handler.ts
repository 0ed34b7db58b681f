/** Heartbeat: keeps a member's session alive and tells it when to rejoin (REBALANCE_IN_PROGRESS). */
import { coordinatorOf } from '../../../groups/index.ts';
import type { HeartbeatInput } from '../../../groups/types.ts';
import { ErrorCode } from '../../api-keys.ts';
import type { RequestContext } from '../../context.ts';

export type HeartbeatRequest = HeartbeatInput;

export interface HeartbeatResponse {
  errorCode: number;
}

export function handleHeartbeat(request: HeartbeatRequest, ctx: RequestContext): HeartbeatResponse {
  const coordinator = coordinatorOf(ctx);
  if (coordinator === undefined) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE };
  return { errorCode: coordinator.heartbeat(request) };
}
