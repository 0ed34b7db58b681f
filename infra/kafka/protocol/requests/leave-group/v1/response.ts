/** LeaveGroup Response (Version: 1) => throttle_time_ms error_code */
import type { LeaveGroupResult } from '../../../../groups/types.ts';
import type { Writer } from '../../../writer.ts';
import { singleErrorCode } from '../handler.ts';

export function encode(writer: Writer, response: LeaveGroupResult): void {
  writer.int32(0).int16(singleErrorCode(response));
}
