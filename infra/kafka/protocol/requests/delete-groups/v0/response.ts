/** DeleteGroups Response (Version: 0) => throttle_time_ms [results] (results => group_id error_code) */
import type { Writer } from '../../../writer.ts';
import { type DeleteGroupsResponse, writeResults } from '../handler.ts';

export function encode(writer: Writer, response: DeleteGroupsResponse): void {
  writeResults(writer, response);
}
