/**
 * OffsetCommit Request (Version: 2) => group_id generation_id member_id retention_time_ms [topics]
 *   topics => name [partitions]
 *     partitions => partition_index committed_offset committed_metadata
 * The retention time is ignored: offsets here never expire.
 */
import type { Reader } from '../../../reader.ts';
import type { OffsetCommitRequest } from '../handler.ts';

export function decode(reader: Reader): OffsetCommitRequest {
  const groupId = reader.string();
  const generationId = reader.int32();
  const memberId = reader.string();
  reader.int64(); // retention_time_ms
  return { groupId, generationId, memberId, topics: readTopics(reader) };
}

/** topics => name [partitions => partition_index committed_offset committed_metadata] (v2-v5) */
export function readTopics(reader: Reader): OffsetCommitRequest['topics'] {
  return reader.array((r) => ({
    name: r.string(),
    partitions: r.array((p) => ({
      partition: p.int32(),
      offset: p.int64Number(),
      metadata: p.nullableString(),
    })),
  }));
}
