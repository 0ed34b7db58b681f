/** DescribeConfigs Request (Version: 1) => [resources] include_synonyms */
import type { Reader } from '../../../reader.ts';
import type { DescribeConfigsRequest } from '../handler.ts';
import { decodeResources } from '../v0/request.ts';

export function decode(reader: Reader): DescribeConfigsRequest {
  const resources = decodeResources(reader);
  return { resources, includeSynonyms: reader.boolean() };
}
