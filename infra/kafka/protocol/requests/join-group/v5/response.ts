/**
 * JoinGroup Response (Version: 5) => throttle_time_ms error_code generation_id protocol_name leader
 *   member_id [members]
 *   members => member_id group_instance_id metadata
 */
import type { JoinGroupResult } from '../../../../groups/types.ts';
import type { Writer } from '../../../writer.ts';
import { encodeBody } from '../v0/response.ts';

export function encode(writer: Writer, response: JoinGroupResult): void {
  encodeBody(writer.int32(0), response, true);
}
