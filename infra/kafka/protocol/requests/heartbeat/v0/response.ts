/** Heartbeat Response (Version: 0) => error_code */
import type { Writer } from '../../../writer.ts';
import type { HeartbeatResponse } from '../handler.ts';

export function encode(writer: Writer, response: HeartbeatResponse): void {
  writer.int16(response.errorCode);
}
