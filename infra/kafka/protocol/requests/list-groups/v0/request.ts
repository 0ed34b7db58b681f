/** ListGroups Request (Version: 0) => (no fields) */
import type { ListGroupsRequest } from '../handler.ts';

export function decode(): ListGroupsRequest {
  return {};
}
