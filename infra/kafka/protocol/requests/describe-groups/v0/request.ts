/** DescribeGroups Request (Version: 0) => [groups] (group ids) */
import type { Reader } from '../../../reader.ts';
import type { DescribeGroupsRequest } from '../handler.ts';

export function decode(reader: Reader): DescribeGroupsRequest {
  return { groupIds: reader.array((r) => r.string()) };
}
