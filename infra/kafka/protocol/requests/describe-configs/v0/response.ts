/**
 * DescribeConfigs Response (Version: 0) => throttle_time_ms [results => error_code error_message
 *   resource_type resource_name [configs => name value read_only is_default is_sensitive]]
 */
import type { Writer } from '../../../writer.ts';
import type { DescribeConfigsResponse } from '../handler.ts';

export function encode(writer: Writer, response: DescribeConfigsResponse): void {
  encodeResults(writer, response, (w, config) => {
    w.string(config.name)
      .nullableString(config.value)
      .boolean(false)
      .boolean(config.source === 'default')
      .boolean(false);
  });
}

type ConfigEntry = DescribeConfigsResponse['results'][number]['configs'][number];

/** The v0 layout around each config entry, which v1 writes its own way (`writeConfig`). */
export function encodeResults(
  writer: Writer,
  response: DescribeConfigsResponse,
  writeConfig: (writer: Writer, config: ConfigEntry) => void,
): void {
  writer.int32(response.throttleTimeMs).array(response.results, (w, result) => {
    w.int16(result.errorCode)
      .nullableString(result.errorMessage)
      .int8(result.resourceType)
      .string(result.resourceName)
      .array(result.configs, writeConfig);
  });
}
