/** ListGroups Response (Version: 0) => error_code [groups] (groups => group_id protocol_type) */
import type { Writer } from '../../../writer.ts';
import { type ListGroupsResponse, writeGroups } from '../handler.ts';

export function encode(writer: Writer, response: ListGroupsResponse): void {
  writeGroups(writer, response);
}
