import type { Reader } from '../../../reader.ts';
import type { ListOffsetsRequest } from '../handler.ts';

export function decodeListOffsets(reader: Reader, withIsolationLevel: boolean): ListOffsetsRequest {
  reader.int32(); // replica_id: -1 for consumers
  const isolationLevel = withIsolationLevel ? reader.int8() : 0;
  const topics = reader.topics((partition) => ({
    index: partition.int32(),
    timestamp: partition.int64Number(),
  }));
  return { isolationLevel, topics };
}

/** v1: replica_id, topics (partition_index, timestamp). */
export function decode(reader: Reader): ListOffsetsRequest {
  return decodeListOffsets(reader, false);
}
