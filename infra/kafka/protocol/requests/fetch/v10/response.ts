import type { Writer } from '../../../writer.ts';
import type { FetchResponse } from '../handler.ts';
import { encodeFetch } from '../v4/response.ts';

/** v10 has the same shape as v9. */
export function encode(writer: Writer, response: FetchResponse): void {
  encodeFetch(writer, response, { logStartOffset: true, sessions: true, preferredReadReplica: false });
}
