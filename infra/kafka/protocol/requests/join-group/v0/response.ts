/**
 * JoinGroup Response (Version: 0) => error_code generation_id protocol_name leader member_id [members]
 *   members => member_id metadata
 */
import type { JoinGroupResult } from '../../../../groups/types.ts';
import type { Writer } from '../../../writer.ts';

export function encode(writer: Writer, response: JoinGroupResult): void {
  encodeBody(writer, response);
}

/** Everything after throttle_time_ms, shared with v1-v5 (v5 adds each member's group_instance_id). */
export function encodeBody(writer: Writer, response: JoinGroupResult, instanceIds = false): void {
  writer
    .int16(response.errorCode)
    .int32(response.generationId)
    .string(response.protocolName ?? '')
    .string(response.leaderId)
    .string(response.memberId)
    .array(response.members, (w, member) => {
      w.string(member.memberId);
      if (instanceIds) w.nullableString(member.groupInstanceId);
      w.bytes(member.metadata);
    });
}
