/**
 * JoinGroup Response (Version: 5) => throttle_time_ms error_code generation_id protocol_name leader
 *   member_id [members]
 *   members => member_id group_instance_id metadata
 */
import type { JoinGroupResult } from '../../../../groups/types.ts';
import type { Writer } from '../../../writer.ts';

export function encode(writer: Writer, response: JoinGroupResult): void {
  writer
    .int32(0)
    .int16(response.errorCode)
    .int32(response.generationId)
    .string(response.protocolName ?? '')
    .string(response.leaderId)
    .string(response.memberId)
    .array(response.members, (w, member) => {
      w.string(member.memberId).nullableString(member.groupInstanceId).bytes(member.metadata);
    });
}
