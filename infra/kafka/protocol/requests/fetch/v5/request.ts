import type { Reader } from '../../../reader.ts';
import type { FetchRequest } from '../handler.ts';
import { decodeFetch } from '../v4/request.ts';

/** v5 adds log_start_offset per partition (request and response). */
export function decode(reader: Reader): FetchRequest {
  return decodeFetch(reader, {
    sessions: false,
    logStartOffset: true,
    currentLeaderEpoch: false,
    rackId: false,
  });
}
