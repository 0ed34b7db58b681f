import type { Writer } from '../../../writer.ts';
import type { DeleteTopicsResponse } from '../handler.ts';
import { writeResponses } from '../v0/response.ts';

/** v1 starts with throttle_time_ms. */
export function encode(writer: Writer, response: DeleteTopicsResponse): void {
  writer.int32(response.throttleTimeMs);
  writeResponses(writer, response);
}
