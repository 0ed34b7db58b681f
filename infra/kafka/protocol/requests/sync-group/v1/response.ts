/** SyncGroup Response (Version: 1) => throttle_time_ms error_code assignment */
import type { SyncGroupResult } from '../../../../groups/types.ts';
import type { Writer } from '../../../writer.ts';

export function encode(writer: Writer, response: SyncGroupResult): void {
  writer.int32(0).int16(response.errorCode).bytes(response.assignment);
}
