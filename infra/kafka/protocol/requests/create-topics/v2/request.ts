import type { Reader } from '../../../reader.ts';
import type { CreateTopicsRequest } from '../handler.ts';
import { decodeCreateTopics } from '../v0/request.ts';

/** v2 has the same shape as v1. */
export function decode(reader: Reader): CreateTopicsRequest {
  return decodeCreateTopics(reader, true);
}
