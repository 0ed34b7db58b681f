/** JoinGroup Response (Version: 4): same fields as v2. */
export { encode } from '../v2/response.ts';
