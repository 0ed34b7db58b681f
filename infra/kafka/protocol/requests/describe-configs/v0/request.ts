/** DescribeConfigs Request (Version: 0) => [resources => resource_type resource_name [configuration_keys]] */
import type { Reader } from '../../../reader.ts';
import type { DescribeConfigsRequest } from '../handler.ts';

export function decodeResources(reader: Reader): DescribeConfigsRequest['resources'] {
  return reader.array((resource) => ({
    resourceType: resource.int8(),
    resourceName: resource.string(),
    configNames: resource.nullableArray((name) => name.string()),
  }));
}

export function decode(reader: Reader): DescribeConfigsRequest {
  return { resources: decodeResources(reader), includeSynonyms: false };
}
