/** JoinGroup Response (Version: 3): same fields as v2. */
export { encode } from '../v2/response.ts';
