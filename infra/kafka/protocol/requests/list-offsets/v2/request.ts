import type { Reader } from '../../../reader.ts';
import type { ListOffsetsRequest } from '../handler.ts';
import { decodeListOffsets } from '../v1/request.ts';

/** v2 adds isolation_level after replica_id. */
export function decode(reader: Reader): ListOffsetsRequest {
  return decodeListOffsets(reader, true);
}
