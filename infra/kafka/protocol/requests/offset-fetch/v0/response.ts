/**
 * OffsetFetch Response (Version: 0) => [topics]
 *   topics => name [partitions => partition_index committed_offset metadata error_code]
 */
import type { OffsetFetchResult } from '../../../../groups/types.ts';
import type { Writer } from '../../../writer.ts';
import { writeTopics } from '../handler.ts';

export function encode(writer: Writer, response: OffsetFetchResult): void {
  writeTopics(writer, response, true);
}
