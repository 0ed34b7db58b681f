import type { Writer } from '../../../writer.ts';
import type { DeleteTopicsResponse } from '../handler.ts';
import { writeResponses } from '../v0/response.ts';

/** v2 has the same shape as v1. */
export function encode(writer: Writer, response: DeleteTopicsResponse): void {
  writer.int32(response.throttleTimeMs);
  writeResponses(writer, response);
}
