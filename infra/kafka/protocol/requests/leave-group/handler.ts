/** LeaveGroup: removes members at once (no wait for their session to expire) and rebalances. */
import { coordinatorOf } from '../../../groups/index.ts';
import type { LeaveGroupInput, LeaveGroupResult } from '../../../groups/types.ts';
import { ErrorCode } from '../../api-keys.ts';
import type { RequestContext } from '../../context.ts';

export type LeaveGroupRequest = LeaveGroupInput;

export function handleLeaveGroup(request: LeaveGroupRequest, ctx: RequestContext): LeaveGroupResult {
  const coordinator = coordinatorOf(ctx);
  if (coordinator === undefined) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, members: [] };
  return coordinator.leaveGroup(request);
}

/** v0-v2 carry one member and one error code: the group's, else that member's. */
export function singleErrorCode(response: LeaveGroupResult): number {
  if (response.errorCode !== ErrorCode.NONE) return response.errorCode;
  return response.members[0]?.errorCode ?? ErrorCode.NONE;
}
