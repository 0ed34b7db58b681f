/** v10 has the same shape as v9. */
export { encode } from '../v7/response.ts';
