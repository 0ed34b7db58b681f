/** CreatePartitions Response (Version: 0) => throttle_time_ms [results => name error_code error_message] */
import type { Writer } from '../../../writer.ts';
import type { CreatePartitionsResponse } from '../handler.ts';

export function encode(writer: Writer, response: CreatePartitionsResponse): void {
  writer.int32(response.throttleTimeMs).array(response.results, (w, result) => {
    w.string(result.name).int16(result.errorCode).nullableString(result.errorMessage);
  });
}
