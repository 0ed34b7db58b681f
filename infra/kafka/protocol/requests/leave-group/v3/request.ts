/**
 * LeaveGroup Request (Version: 3) => group_id [members]
 *   members => member_id group_instance_id
 */
import type { Reader } from '../../../reader.ts';
import type { LeaveGroupRequest } from '../handler.ts';

export function decode(reader: Reader): LeaveGroupRequest {
  return {
    groupId: reader.string(),
    members: reader.array((r) => ({ memberId: r.string(), groupInstanceId: r.nullableString() })),
  };
}
