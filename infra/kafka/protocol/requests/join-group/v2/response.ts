/** JoinGroup Response (Version: 2) => throttle_time_ms, then the v0 fields. */
import type { JoinGroupResult } from '../../../../groups/types.ts';
import type { Writer } from '../../../writer.ts';
import { encodeBody } from '../v0/response.ts';

export function encode(writer: Writer, response: JoinGroupResult): void {
  encodeBody(writer.int32(0), response);
}
