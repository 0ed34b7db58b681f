/** Heartbeat Response (Version: 1) => throttle_time_ms error_code */
import type { Writer } from '../../../writer.ts';
import type { HeartbeatResponse } from '../handler.ts';

export function encode(writer: Writer, response: HeartbeatResponse): void {
  writer.int32(0).int16(response.errorCode);
}
