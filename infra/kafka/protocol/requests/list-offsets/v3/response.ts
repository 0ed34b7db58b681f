import type { Writer } from '../../../writer.ts';
import type { ListOffsetsResponse } from '../handler.ts';
import { writeTopics } from '../v1/response.ts';

/** v3 has the same shape as v2. */
export function encode(writer: Writer, response: ListOffsetsResponse): void {
  writer.int32(response.throttleTimeMs);
  writeTopics(writer, response);
}
