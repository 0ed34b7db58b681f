/** ListGroups Response (Version: 2): same fields as v1. */
export { encode } from '../v1/response.ts';
