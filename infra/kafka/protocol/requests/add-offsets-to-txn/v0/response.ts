/** AddOffsetsToTxn Response (Version: 0) => throttle_time_ms error_code */
import type { Writer } from '../../../writer.ts';
import type { AddOffsetsToTxnResponse } from '../handler.ts';

export function encode(writer: Writer, response: AddOffsetsToTxnResponse): void {
  writer.int32(response.throttleTimeMs).int16(response.errorCode);
}
