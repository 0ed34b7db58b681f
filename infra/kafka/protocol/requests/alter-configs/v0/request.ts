/**
 * AlterConfigs Request (Version: 0) => [resources => resource_type resource_name
 *   [configs => name value]] validate_only
 */
import type { Reader } from '../../../reader.ts';
import type { AlterConfigsRequest } from '../handler.ts';

export function decode(reader: Reader): AlterConfigsRequest {
  return {
    resources: reader.array((resource) => ({
      resourceType: resource.int8(),
      resourceName: resource.string(),
      configs: resource.array((config) => ({ name: config.string(), value: config.nullableString() })),
    })),
    validateOnly: reader.boolean(),
  };
}
