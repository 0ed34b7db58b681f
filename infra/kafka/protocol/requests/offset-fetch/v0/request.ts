/** OffsetFetch Request (Version: 0) => group_id [topics] (topics => name [partition_indexes]) */
import type { Reader } from '../../../reader.ts';
import { type OffsetFetchRequest, readTopics } from '../handler.ts';

export function decode(reader: Reader): OffsetFetchRequest {
  return { groupId: reader.string(), topics: readTopics(reader) ?? [] };
}
