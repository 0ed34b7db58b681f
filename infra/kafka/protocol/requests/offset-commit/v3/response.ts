/** OffsetCommit Response (Version: 3) => throttle_time_ms [topics] */
import type { OffsetCommitResult } from '../../../../groups/types.ts';
import type { Writer } from '../../../writer.ts';
import { writeTopics } from '../handler.ts';

export function encode(writer: Writer, response: OffsetCommitResult): void {
  writeTopics(writer.int32(0), response);
}
