/** DeleteGroups Request (Version: 0) => [groups_names] */
import type { Reader } from '../../../reader.ts';
import type { DeleteGroupsRequest } from '../handler.ts';

export function decode(reader: Reader): DeleteGroupsRequest {
  return { groupIds: reader.array((r) => r.string()) };
}
