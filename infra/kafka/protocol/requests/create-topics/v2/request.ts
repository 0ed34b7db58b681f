/** v2 has the same shape as v1. */
export { decode } from '../v1/request.ts';
