/** DescribeGroups Response (Version: 0) => [groups] (see ../handler.ts) */
import type { Writer } from '../../../writer.ts';
import { type DescribeGroupsResponse, writeGroups } from '../handler.ts';

export function encode(writer: Writer, response: DescribeGroupsResponse): void {
  writeGroups(writer, response);
}
