/** v4 has the same shape as v1 (-1 partitions/replication factor: broker defaults, accepted in every version here). */
export { decode } from '../v1/request.ts';
