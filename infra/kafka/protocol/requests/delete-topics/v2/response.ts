/** v2 has the same shape as v1. */
export { encode } from '../v1/response.ts';
