/** OffsetCommit Request (Version: 5) => group_id generation_id member_id [topics] (no retention time) */
import type { Reader } from '../../../reader.ts';
import type { OffsetCommitRequest } from '../handler.ts';
import { readTopics } from '../v0/request.ts';

export function decode(reader: Reader): OffsetCommitRequest {
  return {
    groupId: reader.string(),
    generationId: reader.int32(),
    memberId: reader.string(),
    topics: readTopics(reader),
  };
}
