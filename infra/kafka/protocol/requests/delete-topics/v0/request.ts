import type { Reader } from '../../../reader.ts';
import type { DeleteTopicsRequest } from '../handler.ts';

/** v0: topic_names, timeout_ms. */
export function decode(reader: Reader): DeleteTopicsRequest {
  return { topicNames: reader.array((name) => name.string()), timeoutMs: reader.int32() };
}
