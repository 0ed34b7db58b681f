import type { Writer } from '../../../writer.ts';
import type { MetadataResponse } from '../handler.ts';
import { encode as encodeV3 } from '../v3/response.ts';

/** v4 has the same shape as v3. */
export function encode(writer: Writer, response: MetadataResponse): void {
  encodeV3(writer, response);
}
