/** SyncGroup: followers are held until the leader's assignment arrives (see groups/coordinator.ts). */
import { coordinatorOf } from '../../../groups/index.ts';
import type { SyncGroupInput, SyncGroupResult } from '../../../groups/types.ts';
import { ErrorCode } from '../../api-keys.ts';
import type { RequestContext } from '../../context.ts';
import type { Reader } from '../../reader.ts';

export type SyncGroupRequest = SyncGroupInput;

export function handleSyncGroup(request: SyncGroupRequest, ctx: RequestContext): Promise<SyncGroupResult> {
  const coordinator = coordinatorOf(ctx);
  if (coordinator === undefined) {
    return Promise.resolve({ errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, assignment: Buffer.alloc(0) });
  }
  return coordinator.syncGroup(request);
}

/** assignments => member_id assignment, the same in every non-flexible version */
export function readAssignments(reader: Reader): SyncGroupRequest['assignments'] {
  return reader.array((r) => ({ memberId: r.string(), assignment: Buffer.from(r.bytes()) }));
}
