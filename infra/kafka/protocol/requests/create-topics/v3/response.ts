/** v3 has the same shape as v2. */
export { encode } from '../v2/response.ts';
