/** ListGroups Response (Version: 1) => throttle_time_ms error_code [groups] */
import type { Writer } from '../../../writer.ts';
import { type ListGroupsResponse, writeGroups } from '../handler.ts';

export function encode(writer: Writer, response: ListGroupsResponse): void {
  writeGroups(writer.int32(0), response);
}
