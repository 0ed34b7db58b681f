/**
 * DescribeConfigs Response (Version: 1) => throttle_time_ms [results => error_code error_message
 *   resource_type resource_name [configs => name value read_only config_source is_sensitive
 *   [synonyms => name value source]]]
 * The synonyms list holds the entry that sets the value (Kafka lists it first, then the values
 * it overrides); it is empty unless include_synonyms was asked.
 */
import type { Writer } from '../../../writer.ts';
import { ConfigSourceCode, type DescribeConfigsResponse } from '../handler.ts';
import { encodeResults } from '../v0/response.ts';

export function encode(writer: Writer, response: DescribeConfigsResponse): void {
  encodeResults(writer, response, (w, config) => {
    const source = ConfigSourceCode[config.source];
    w.string(config.name).nullableString(config.value).boolean(false).int8(source).boolean(false);
    w.array(response.includeSynonyms ? [config] : [], (sw, synonym) => {
      sw.string(synonym.name).nullableString(synonym.value).int8(source);
    });
  });
}
