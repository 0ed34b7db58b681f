/** FindCoordinator Request (Version: 2): same fields as v1 (v2 only changed throttling). */
export { decode } from '../v1/request.ts';
