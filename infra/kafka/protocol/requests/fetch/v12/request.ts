import type { Reader } from '../../../reader.ts';
import type { FetchPartitionRequest, FetchRequest } from '../handler.ts';

/**
 * v12, the first flexible version: compact strings and arrays, tagged fields per structure, and
 * last_fetched_epoch per partition (after current_leader_epoch). The request's tagged field 0
 * (cluster_id) is read and ignored with the others.
 */
export function decode(reader: Reader): FetchRequest {
  reader.int32(); // replica_id: -1 for consumers
  const maxWaitMs = reader.int32();
  const minBytes = reader.int32();
  const maxBytes = reader.int32();
  const isolationLevel = reader.int8();
  const sessionId = reader.int32();
  const sessionEpoch = reader.int32();
  const topics = reader.compactArray((topic) => {
    const name = topic.compactString();
    const partitions = topic.compactArray((partition): FetchPartitionRequest => {
      const index = partition.int32();
      partition.int32(); // current_leader_epoch
      const fetchOffset = partition.int64Number();
      partition.int32(); // last_fetched_epoch
      partition.int64(); // log_start_offset (a follower's; consumers send -1)
      const partitionMaxBytes = partition.int32();
      partition.taggedFields();
      return { index, fetchOffset, partitionMaxBytes };
    });
    topic.taggedFields();
    return { name, partitions };
  });
  reader.compactArray((forgotten) => {
    forgotten.compactString();
    forgotten.compactArray((p) => p.int32());
    forgotten.taggedFields();
  });
  reader.compactString(); // rack_id
  reader.taggedFields();
  return { maxWaitMs, minBytes, maxBytes, isolationLevel, sessionId, sessionEpoch, topics };
}
