import type { Writer } from '../../../writer.ts';
import type { ApiVersionsResponse } from '../handler.ts';
import { encode as encodeV1 } from '../v1/response.ts';

/** v2 has the same shape as v1. */
export function encode(writer: Writer, response: ApiVersionsResponse): void {
  encodeV1(writer, response);
}
