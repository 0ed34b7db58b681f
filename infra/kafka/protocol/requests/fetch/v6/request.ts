import type { Reader } from '../../../reader.ts';
import type { FetchRequest } from '../handler.ts';
import { decodeFetch } from '../v4/request.ts';

/** v6 has the same shape as v5. */
export function decode(reader: Reader): FetchRequest {
  return decodeFetch(reader, {
    sessions: false,
    logStartOffset: true,
    currentLeaderEpoch: false,
    rackId: false,
  });
}
