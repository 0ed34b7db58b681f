/** DescribeGroups: state, protocol and members (metadata and assignment once Stable), as Kafka. */
import { coordinatorOf } from '../../../groups/index.ts';
import type { GroupDescription } from '../../../groups/types.ts';
import { ErrorCode } from '../../api-keys.ts';
import type { RequestContext } from '../../context.ts';
import type { Writer } from '../../writer.ts';

export interface DescribeGroupsRequest {
  groupIds: string[];
}

export interface DescribeGroupsResponse {
  groups: GroupDescription[];
}

export function handleDescribeGroups(
  request: DescribeGroupsRequest,
  ctx: RequestContext,
): DescribeGroupsResponse {
  const coordinator = coordinatorOf(ctx);
  return {
    groups: request.groupIds.map((groupId) =>
      coordinator === undefined
        ? {
            errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
            groupId,
            state: 'Dead',
            protocolType: '',
            protocolName: '',
            members: [],
          }
        : coordinator.describeGroup(groupId),
    ),
  };
}

/**
 * [groups] as in v0-v2:
 *   groups => error_code group_id group_state protocol_type protocol_data [members]
 *     members => member_id client_id client_host member_metadata member_assignment
 */
export function writeGroups(writer: Writer, response: DescribeGroupsResponse): void {
  writer.array(response.groups, (w, group) => {
    w.int16(group.errorCode)
      .string(group.groupId)
      .string(group.state)
      .string(group.protocolType)
      .string(group.protocolName)
      .array(group.members, (mw, member) => {
        mw.string(member.memberId)
          .string(member.clientId)
          .string(member.clientHost)
          .bytes(member.metadata)
          .bytes(member.assignment);
      });
  });
}
