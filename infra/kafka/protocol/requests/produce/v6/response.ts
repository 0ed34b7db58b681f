import type { Writer } from '../../../writer.ts';
import type { ProduceResponse } from '../handler.ts';
import { encode as encodeV5 } from '../v5/response.ts';

/** v6 has the same shape as v5. */
export function encode(writer: Writer, response: ProduceResponse): void {
  encodeV5(writer, response);
}
