/** ListGroups Request (Version: 2): no fields, as v0 (v2 only changed throttling). */
export { decode } from '../v0/request.ts';
