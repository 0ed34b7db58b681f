/** v7 has the same request shape as v4. */
export { decode } from '../v4/request.ts';
