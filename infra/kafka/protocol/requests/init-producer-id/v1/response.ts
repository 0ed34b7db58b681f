/** v1 has the same shape as v0. */
export { encode } from '../v0/response.ts';
