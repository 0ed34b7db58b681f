import type { Reader } from '../../../reader.ts';
import type { FetchRequest } from '../handler.ts';
import { decodeFetch } from '../v4/request.ts';

/** v11 adds rack_id to the request and preferred_read_replica to the response. */
export function decode(reader: Reader): FetchRequest {
  return decodeFetch(reader, {
    sessions: true,
    logStartOffset: true,
    currentLeaderEpoch: true,
    rackId: true,
  });
}
