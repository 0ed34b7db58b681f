/** JoinGroup Request (Version: 3): same fields as v1 (v3 only changed throttling). */
export { decode } from '../v1/request.ts';
