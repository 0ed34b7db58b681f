import type { Reader } from '../../../reader.ts';
import type { CreateTopicsRequest } from '../handler.ts';
import { decodeCreateTopics } from '../v0/request.ts';

/** v1 adds validate_only. */
export function decode(reader: Reader): CreateTopicsRequest {
  return decodeCreateTopics(reader, true);
}
