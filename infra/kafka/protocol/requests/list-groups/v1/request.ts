/** ListGroups Request (Version: 1): no fields, as v0. */
export { decode } from '../v0/request.ts';
