import type { Writer } from '../../../writer.ts';
import type { FetchResponse } from '../handler.ts';
import { encodeFetch } from '../v4/response.ts';

/** v5 adds log_start_offset per partition (request and response). */
export function encode(writer: Writer, response: FetchResponse): void {
  encodeFetch(writer, response, { logStartOffset: true, sessions: false, preferredReadReplica: false });
}
