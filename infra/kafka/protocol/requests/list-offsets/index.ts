import { ApiKey } from '../../api-keys.ts';
import { type ApiVersionHandler, defineApi } from '../../registry.ts';
import { handleListOffsets as handle } from './handler.ts';
import * as v0Request from './v0/request.ts';
import * as v0Response from './v0/response.ts';
import * as v1Request from './v1/request.ts';
import * as v1Response from './v1/response.ts';
import * as v2Request from './v2/request.ts';
import * as v2Response from './v2/response.ts';
import * as v3Request from './v3/request.ts';
import * as v3Response from './v3/response.ts';

const apiKey = ApiKey.ListOffsets;

export const listOffsetsApis: ApiVersionHandler[] = [
  defineApi({ apiKey, version: 0, decode: v0Request.decode, handle, encode: v0Response.encode }),
  defineApi({ apiKey, version: 1, decode: v1Request.decode, handle, encode: v1Response.encode }),
  defineApi({ apiKey, version: 2, decode: v2Request.decode, handle, encode: v2Response.encode }),
  defineApi({ apiKey, version: 3, decode: v3Request.decode, handle, encode: v3Response.encode }),
];
