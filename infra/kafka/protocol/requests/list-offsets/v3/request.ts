import type { Reader } from '../../../reader.ts';
import type { ListOffsetsRequest } from '../handler.ts';
import { decodeListOffsets } from '../v1/request.ts';

/** v3 has the same shape as v2. */
export function decode(reader: Reader): ListOffsetsRequest {
  return decodeListOffsets(reader, true);
}
