/** ListGroups: every group this coordinator knows, including those with only committed offsets. */
import { coordinatorOf } from '../../../groups/index.ts';
import type { GroupListing } from '../../../groups/types.ts';
import { ErrorCode } from '../../api-keys.ts';
import type { RequestContext } from '../../context.ts';
import type { Writer } from '../../writer.ts';

export type ListGroupsRequest = Record<string, never>;

export interface ListGroupsResponse {
  errorCode: number;
  groups: GroupListing[];
}

export function handleListGroups(_request: ListGroupsRequest, ctx: RequestContext): ListGroupsResponse {
  const coordinator = coordinatorOf(ctx);
  if (coordinator === undefined) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, groups: [] };
  return { errorCode: ErrorCode.NONE, groups: coordinator.listGroups() };
}

/** error_code [groups => group_id protocol_type], the same in v0-v2 */
export function writeGroups(writer: Writer, response: ListGroupsResponse): void {
  writer.int16(response.errorCode).array(response.groups, (w, group) => {
    w.string(group.groupId).string(group.protocolType);
  });
}
