/** OffsetFetch Response (Version: 2) => [topics] error_code */
import type { OffsetFetchResult } from '../../../../groups/types.ts';
import type { Writer } from '../../../writer.ts';
import { writeTopics } from '../handler.ts';

export function encode(writer: Writer, response: OffsetFetchResult): void {
  writeTopics(writer, response, false);
  writer.int16(response.errorCode);
}
