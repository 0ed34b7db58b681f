/** DeleteGroups: removes Empty groups and their committed offsets (kafkajs admin.deleteGroups). */
import { coordinatorOf } from '../../../groups/index.ts';
import { ErrorCode } from '../../api-keys.ts';
import type { RequestContext } from '../../context.ts';
import type { Writer } from '../../writer.ts';

export interface DeleteGroupsRequest {
  groupIds: string[];
}

export interface DeleteGroupsResponse {
  results: { groupId: string; errorCode: number }[];
}

export function handleDeleteGroups(request: DeleteGroupsRequest, ctx: RequestContext): DeleteGroupsResponse {
  const coordinator = coordinatorOf(ctx);
  return {
    results: request.groupIds.map((groupId) => ({
      groupId,
      errorCode:
        coordinator === undefined ? ErrorCode.COORDINATOR_NOT_AVAILABLE : coordinator.deleteGroup(groupId),
    })),
  };
}

/** throttle_time_ms [results => group_id error_code], the same in v0 and v1 */
export function writeResults(writer: Writer, response: DeleteGroupsResponse): void {
  writer.int32(0).array(response.results, (w, result) => {
    w.string(result.groupId).int16(result.errorCode);
  });
}
