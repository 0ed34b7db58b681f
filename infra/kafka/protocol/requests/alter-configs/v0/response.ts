/** AlterConfigs Response (Version: 0) => throttle_time_ms [responses => error_code error_message resource_type resource_name] */
import type { Writer } from '../../../writer.ts';
import type { AlterConfigsResponse } from '../handler.ts';

export function encode(writer: Writer, response: AlterConfigsResponse): void {
  writer.int32(response.throttleTimeMs).array(response.results, (w, result) => {
    w.int16(result.errorCode)
      .nullableString(result.errorMessage)
      .int8(result.resourceType)
      .string(result.resourceName);
  });
}
