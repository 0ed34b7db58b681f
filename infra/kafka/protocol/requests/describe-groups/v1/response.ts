/** DescribeGroups Response (Version: 1) => throttle_time_ms [groups] */
import type { Writer } from '../../../writer.ts';
import { type DescribeGroupsResponse, writeGroups } from '../handler.ts';

export function encode(writer: Writer, response: DescribeGroupsResponse): void {
  writeGroups(writer.int32(0), response);
}
