/** OffsetCommit Request (Version: 4): same fields as v2 (v4 only changed throttling). */
export { decode } from '../v2/request.ts';
