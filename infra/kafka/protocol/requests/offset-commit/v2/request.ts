/**
 * OffsetCommit Request (Version: 2) => group_id generation_id member_id retention_time_ms [topics]
 *   topics => name [partitions]
 *     partitions => partition_index committed_offset committed_metadata
 * The retention time is ignored: offsets here never expire.
 */
import type { Reader } from '../../../reader.ts';
import type { OffsetCommitRequest } from '../handler.ts';
import { readTopics } from '../v0/request.ts';

export function decode(reader: Reader): OffsetCommitRequest {
  const groupId = reader.string();
  const generationId = reader.int32();
  const memberId = reader.string();
  reader.int64(); // retention_time_ms
  return { groupId, generationId, memberId, topics: readTopics(reader) };
}
