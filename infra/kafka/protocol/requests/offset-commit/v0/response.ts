/** OffsetCommit Response (Version: 0) => [topics] (name [partitions => partition_index error_code]) */
import type { OffsetCommitResult } from '../../../../groups/types.ts';
import type { Writer } from '../../../writer.ts';
import { writeTopics } from '../handler.ts';

export function encode(writer: Writer, response: OffsetCommitResult): void {
  writeTopics(writer, response);
}
