import type { Reader } from '../../../reader.ts';
import type { ListOffsetsRequest } from '../handler.ts';

/** v0: replica_id, topics (partition_index, timestamp, max_num_offsets). */
export function decode(reader: Reader): ListOffsetsRequest {
  reader.int32(); // replica_id: -1 for consumers
  const topics = reader.topics((partition) => ({
    index: partition.int32(),
    timestamp: partition.int64Number(),
    maxNumOffsets: partition.int32(),
  }));
  return { isolationLevel: 0, topics };
}
