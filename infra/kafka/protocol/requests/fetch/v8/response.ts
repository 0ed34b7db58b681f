/** v8 has the same shape as v7. */
export { encode } from '../v7/response.ts';
