import type { Writer } from '../../../writer.ts';
import type { FetchResponse } from '../handler.ts';
import { encodeFetch } from '../v4/response.ts';

/** v7 adds fetch sessions: session_id/session_epoch, forgotten topics; error_code/session_id in the response. */
export function encode(writer: Writer, response: FetchResponse): void {
  encodeFetch(writer, response, { logStartOffset: true, sessions: true, preferredReadReplica: false });
}
