import { ApiKey } from '../../api-keys.ts';
import { type ApiRegistry, type ApiVersionHandler, defineApi } from '../../registry.ts';
import { apiVersionsHandler } from './handler.ts';
import * as v0Request from './v0/request.ts';
import * as v0Response from './v0/response.ts';
import * as v1Request from './v1/request.ts';
import * as v1Response from './v1/response.ts';
import * as v2Request from './v2/request.ts';
import * as v2Response from './v2/response.ts';

/** ApiVersions needs the registry it lives in: it is given a getter resolved at request time. */
export function apiVersionsApis(registry: () => ApiRegistry): ApiVersionHandler[] {
  const handle = apiVersionsHandler(registry);
  return [
    defineApi({
      apiKey: ApiKey.ApiVersions,
      version: 0,
      decode: v0Request.decode,
      handle,
      encode: v0Response.encode,
    }),
    defineApi({
      apiKey: ApiKey.ApiVersions,
      version: 1,
      decode: v1Request.decode,
      handle,
      encode: v1Response.encode,
    }),
    defineApi({
      apiKey: ApiKey.ApiVersions,
      version: 2,
      decode: v2Request.decode,
      handle,
      encode: v2Response.encode,
    }),
  ];
}
