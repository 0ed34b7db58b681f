import type { Writer } from '../../../writer.ts';
import type { CreateTopicsResponse } from '../handler.ts';
import { writeTopics } from '../v1/response.ts';

/** v3 has the same shape as v2. */
export function encode(writer: Writer, response: CreateTopicsResponse): void {
  writer.int32(response.throttleTimeMs);
  writeTopics(writer, response);
}
