/** OffsetFetch Request (Version: 2) => group_id [topics], topics null: every committed partition */
import type { Reader } from '../../../reader.ts';
import { type OffsetFetchRequest, readTopics } from '../handler.ts';

export function decode(reader: Reader): OffsetFetchRequest {
  return { groupId: reader.string(), topics: readTopics(reader) };
}
