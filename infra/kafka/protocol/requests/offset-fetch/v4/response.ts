/** OffsetFetch Response (Version: 4): same fields as v3. */
export { encode } from '../v3/response.ts';
