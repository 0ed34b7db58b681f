/** v6 has the same shape as v5. */
export { decode } from '../v5/request.ts';
