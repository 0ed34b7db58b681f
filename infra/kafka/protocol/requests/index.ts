/**
 * Every API version the broker implements. Add one line per API (its array of defineApi(...)
 * entries, see ../registry.ts). The consumer-group APIs are registered here too.
 */
import { groupApiVersions } from '../../groups/apis.ts';
import { ApiRegistry, type ApiVersionHandler } from '../registry.ts';

export const allApiVersions: readonly ApiVersionHandler[] = [
  // core APIs (broker helper) are added here
  // group APIs (group helper) are added here
  ...groupApiVersions,
];

export function createDefaultRegistry(): ApiRegistry {
  return new ApiRegistry(allApiVersions);
}
