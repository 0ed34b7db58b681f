import type { Writer } from '../../../writer.ts';
import type { ListOffsetsResponse } from '../handler.ts';
import { writeTopics } from '../v1/response.ts';

/** v2 starts with throttle_time_ms. */
export function encode(writer: Writer, response: ListOffsetsResponse): void {
  writer.int32(response.throttleTimeMs);
  writeTopics(writer, response);
}
