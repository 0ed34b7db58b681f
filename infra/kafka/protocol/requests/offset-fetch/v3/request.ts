/** OffsetFetch Request (Version: 3): same fields as v2. */
export { decode } from '../v2/request.ts';
