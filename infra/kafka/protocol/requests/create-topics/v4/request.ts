import type { Reader } from '../../../reader.ts';
import type { CreateTopicsRequest } from '../handler.ts';
import { decodeCreateTopics } from '../v0/request.ts';

/** v4 has the same shape as v1 (-1 partitions/replication factor: broker defaults, accepted in every version here). */
export function decode(reader: Reader): CreateTopicsRequest {
  return decodeCreateTopics(reader, true);
}
