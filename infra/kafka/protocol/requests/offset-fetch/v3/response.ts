/** OffsetFetch Response (Version: 3) => throttle_time_ms [topics] error_code */
import type { OffsetFetchResult } from '../../../../groups/types.ts';
import type { Writer } from '../../../writer.ts';
import { writeTopics } from '../handler.ts';

export function encode(writer: Writer, response: OffsetFetchResult): void {
  writeTopics(writer.int32(0), response, false);
  writer.int16(response.errorCode);
}
