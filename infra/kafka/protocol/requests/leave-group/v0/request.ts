/** LeaveGroup Request (Version: 0) => group_id member_id */
import type { Reader } from '../../../reader.ts';
import type { LeaveGroupRequest } from '../handler.ts';

export function decode(reader: Reader): LeaveGroupRequest {
  const groupId = reader.string();
  return { groupId, members: [{ memberId: reader.string(), groupInstanceId: null }] };
}
