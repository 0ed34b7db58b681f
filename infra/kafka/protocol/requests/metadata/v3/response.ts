import type { Writer } from '../../../writer.ts';
import type { MetadataResponse } from '../handler.ts';
import { encode as encodeV2 } from '../v2/response.ts';

/** v3 starts with throttle_time_ms. */
export function encode(writer: Writer, response: MetadataResponse): void {
  writer.int32(response.throttleTimeMs);
  encodeV2(writer, response);
}
