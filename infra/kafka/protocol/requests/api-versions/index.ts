import { ApiKey } from '../../api-keys.ts';
import { type ApiRegistry, type ApiVersionHandler, versionsIn } from '../../registry.ts';
import { apiVersionsHandler } from './handler.ts';

const unbound = await versionsIn(import.meta.dirname, ApiKey.ApiVersions, () => {
  throw new Error('ApiVersions answered before apiVersionsApis bound it to a registry');
});

/** ApiVersions needs the registry it lives in: it is given a getter resolved at request time. */
export function apiVersionsApis(registry: () => ApiRegistry): ApiVersionHandler[] {
  const handle = apiVersionsHandler(registry) as ApiVersionHandler['handle'];
  return unbound.map((version) => ({ ...version, handle }));
}
