/**
 * LeaveGroup Response (Version: 3) => throttle_time_ms error_code [members]
 *   members => member_id group_instance_id error_code
 */
import type { LeaveGroupResult } from '../../../../groups/types.ts';
import type { Writer } from '../../../writer.ts';

export function encode(writer: Writer, response: LeaveGroupResult): void {
  writer
    .int32(0)
    .int16(response.errorCode)
    .array(response.members, (w, member) => {
      w.string(member.memberId).nullableString(member.groupInstanceId).int16(member.errorCode);
    });
}
