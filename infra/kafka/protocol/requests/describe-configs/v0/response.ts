/**
 * DescribeConfigs Response (Version: 0) => throttle_time_ms [results => error_code error_message
 *   resource_type resource_name [configs => name value read_only is_default is_sensitive]]
 */
import type { Writer } from '../../../writer.ts';
import type { DescribeConfigsResponse } from '../handler.ts';

export function encode(writer: Writer, response: DescribeConfigsResponse): void {
  writer.int32(response.throttleTimeMs).array(response.results, (w, result) => {
    w.int16(result.errorCode)
      .nullableString(result.errorMessage)
      .int8(result.resourceType)
      .string(result.resourceName)
      .array(result.configs, (cw, config) => {
        cw.string(config.name)
          .nullableString(config.value)
          .boolean(false)
          .boolean(config.source === 'default')
          .boolean(false);
      });
  });
}
