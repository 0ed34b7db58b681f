/** v3 has the same shape as v2. */
export { decode } from '../v2/request.ts';
