/** v1 has the same shape as v0. */
export { decode } from '../v0/request.ts';
