import type { Reader } from '../../../reader.ts';
import type { DeleteTopicsRequest } from '../handler.ts';

/** v1 has the same shape as v0. */
export function decode(reader: Reader): DeleteTopicsRequest {
  return { topicNames: reader.array((name) => name.string()), timeoutMs: reader.int32() };
}
