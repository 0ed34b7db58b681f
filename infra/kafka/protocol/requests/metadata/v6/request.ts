/** v6 has the same request shape as v5 (v6 only changed throttling). */
export { decode } from '../v4/request.ts';
