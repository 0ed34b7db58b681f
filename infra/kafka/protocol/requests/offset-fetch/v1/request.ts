/** OffsetFetch Request (Version: 1): same fields as v0 (offsets kept by the broker, not ZooKeeper). */
export { decode } from '../v0/request.ts';
