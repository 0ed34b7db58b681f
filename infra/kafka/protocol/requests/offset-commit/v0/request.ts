/**
 * OffsetCommit Request (Version: 0) => group_id [topics]
 *   topics => name [partitions]
 *     partitions => partition_index committed_offset committed_metadata
 * v0 carries no generation: a "simple" commit, as by a client that assigns partitions itself.
 */
import type { Reader } from '../../../reader.ts';
import type { OffsetCommitRequest } from '../handler.ts';

export function decode(reader: Reader): OffsetCommitRequest {
  return {
    groupId: reader.string(),
    generationId: -1,
    memberId: '',
    topics: readTopics(reader),
  };
}

/** topics => name [partitions => partition_index committed_offset committed_metadata] (v0, v2-v5) */
export function readTopics(reader: Reader): OffsetCommitRequest['topics'] {
  return reader.topics((p) => ({
    partition: p.int32(),
    offset: p.int64Number(),
    metadata: p.nullableString(),
  }));
}
