import type { Writer } from '../../../writer.ts';
import type { ApiVersionsResponse } from '../handler.ts';
import { encode as encodeV0 } from '../v0/response.ts';

/** v1 appends throttle_time_ms. */
export function encode(writer: Writer, response: ApiVersionsResponse): void {
  encodeV0(writer, response);
  writer.int32(response.throttleTimeMs);
}
