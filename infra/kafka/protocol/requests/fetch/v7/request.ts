import type { Reader } from '../../../reader.ts';
import type { FetchRequest } from '../handler.ts';
import { decodeFetch } from '../v4/request.ts';

/** v7 adds fetch sessions: session_id/session_epoch, forgotten topics; error_code/session_id in the response. */
export function decode(reader: Reader): FetchRequest {
  return decodeFetch(reader, {
    sessions: true,
    logStartOffset: true,
    currentLeaderEpoch: false,
    rackId: false,
  });
}
