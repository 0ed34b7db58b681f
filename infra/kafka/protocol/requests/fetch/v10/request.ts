/** v10 has the same shape as v9. */
export { decode } from '../v9/request.ts';
