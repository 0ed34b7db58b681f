/** SyncGroup Request (Version: 2): same fields as v0 (v2 only changed throttling). */
export { decode } from '../v0/request.ts';
