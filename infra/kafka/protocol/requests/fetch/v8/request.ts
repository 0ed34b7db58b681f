import type { Reader } from '../../../reader.ts';
import type { FetchRequest } from '../handler.ts';
import { decodeFetch } from '../v4/request.ts';

/** v8 has the same shape as v7. */
export function decode(reader: Reader): FetchRequest {
  return decodeFetch(reader, {
    sessions: true,
    logStartOffset: true,
    currentLeaderEpoch: false,
    rackId: false,
  });
}
