import { ErrorCode } from '../../api-keys.ts';
import type { RequestContext } from '../../context.ts';
import type { ApiRegistry, ApiVersionRange } from '../../registry.ts';

/** ApiVersions v0-v2 requests have no body. */
export type ApiVersionsRequest = Record<string, never>;

export interface ApiVersionsResponse {
  errorCode: number;
  apiKeys: ApiVersionRange[];
  throttleTimeMs: number;
}

/** Answers from the registry itself: what is registered is exactly what is advertised. */
export function apiVersionsHandler(registry: () => ApiRegistry) {
  return (_request: ApiVersionsRequest, _ctx: RequestContext): ApiVersionsResponse => ({
    errorCode: ErrorCode.NONE,
    apiKeys: registry().ranges(),
    throttleTimeMs: 0,
  });
}
