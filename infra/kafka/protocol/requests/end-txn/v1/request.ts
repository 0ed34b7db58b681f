/** EndTxn Request (Version: 1): same fields as v0 (v1 only changed throttling). */
export { decode } from '../v0/request.ts';
