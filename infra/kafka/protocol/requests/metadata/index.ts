import { ApiKey } from '../../api-keys.ts';
import { type ApiVersionHandler, defineApi } from '../../registry.ts';
import { handleMetadata as handle } from './handler.ts';
import * as v1Request from './v1/request.ts';
import * as v1Response from './v1/response.ts';
import * as v2Request from './v2/request.ts';
import * as v2Response from './v2/response.ts';
import * as v3Request from './v3/request.ts';
import * as v3Response from './v3/response.ts';
import * as v4Request from './v4/request.ts';
import * as v4Response from './v4/response.ts';
import * as v5Request from './v5/request.ts';
import * as v5Response from './v5/response.ts';

const apiKey = ApiKey.Metadata;

export const metadataApis: ApiVersionHandler[] = [
  defineApi({ apiKey, version: 1, decode: v1Request.decode, handle, encode: v1Response.encode }),
  defineApi({ apiKey, version: 2, decode: v2Request.decode, handle, encode: v2Response.encode }),
  defineApi({ apiKey, version: 3, decode: v3Request.decode, handle, encode: v3Response.encode }),
  defineApi({ apiKey, version: 4, decode: v4Request.decode, handle, encode: v4Response.encode }),
  defineApi({ apiKey, version: 5, decode: v5Request.decode, handle, encode: v5Response.encode }),
];
