/**
 * OffsetCommit Request (Version: 1) => group_id generation_id member_id [topics]
 *   topics => name [partitions]
 *     partitions => partition_index committed_offset commit_timestamp committed_metadata
 * The commit timestamp is ignored: offsets here never expire.
 */
import type { Reader } from '../../../reader.ts';
import type { OffsetCommitRequest } from '../handler.ts';

export function decode(reader: Reader): OffsetCommitRequest {
  return {
    groupId: reader.string(),
    generationId: reader.int32(),
    memberId: reader.string(),
    topics: reader.topics((p) => {
      const partition = p.int32();
      const offset = p.int64Number();
      p.int64(); // commit_timestamp
      return { partition, offset, metadata: p.nullableString() };
    }),
  };
}
