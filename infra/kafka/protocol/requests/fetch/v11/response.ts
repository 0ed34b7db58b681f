import type { Writer } from '../../../writer.ts';
import type { FetchResponse } from '../handler.ts';
import { encodeFetch } from '../v4/response.ts';

/** v11 adds rack_id to the request and preferred_read_replica to the response. */
export function encode(writer: Writer, response: FetchResponse): void {
  encodeFetch(writer, response, { logStartOffset: true, sessions: true, preferredReadReplica: true });
}
