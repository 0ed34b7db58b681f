/** v8 has the same shape as v7. */
export { decode } from '../v7/request.ts';
