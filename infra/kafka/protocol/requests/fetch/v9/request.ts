import type { Reader } from '../../../reader.ts';
import type { FetchRequest } from '../handler.ts';
import { decodeFetch } from '../v4/request.ts';

/** v9 adds current_leader_epoch per requested partition. */
export function decode(reader: Reader): FetchRequest {
  return decodeFetch(reader, {
    sessions: true,
    logStartOffset: true,
    currentLeaderEpoch: true,
    rackId: false,
  });
}
