/** LeaveGroup Response (Version: 0) => error_code */
import type { LeaveGroupResult } from '../../../../groups/types.ts';
import type { Writer } from '../../../writer.ts';
import { singleErrorCode } from '../handler.ts';

export function encode(writer: Writer, response: LeaveGroupResult): void {
  writer.int16(singleErrorCode(response));
}
