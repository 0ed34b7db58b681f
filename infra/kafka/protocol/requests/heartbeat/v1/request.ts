/** Heartbeat Request (Version: 1): same fields as v0. */
export { decode } from '../v0/request.ts';
