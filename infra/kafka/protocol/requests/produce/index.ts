import { ApiKey } from '../../api-keys.ts';
import { type ApiVersionHandler, defineApi } from '../../registry.ts';
import { handleProduce as handle } from './handler.ts';
import * as v3Request from './v3/request.ts';
import * as v3Response from './v3/response.ts';
import * as v4Request from './v4/request.ts';
import * as v4Response from './v4/response.ts';
import * as v5Request from './v5/request.ts';
import * as v5Response from './v5/response.ts';
import * as v6Request from './v6/request.ts';
import * as v6Response from './v6/response.ts';
import * as v7Request from './v7/request.ts';
import * as v7Response from './v7/response.ts';
import * as v8Request from './v8/request.ts';
import * as v8Response from './v8/response.ts';

const apiKey = ApiKey.Produce;

export const produceApis: ApiVersionHandler[] = [
  defineApi({ apiKey, version: 3, decode: v3Request.decode, handle, encode: v3Response.encode }),
  defineApi({ apiKey, version: 4, decode: v4Request.decode, handle, encode: v4Response.encode }),
  defineApi({ apiKey, version: 5, decode: v5Request.decode, handle, encode: v5Response.encode }),
  defineApi({ apiKey, version: 6, decode: v6Request.decode, handle, encode: v6Response.encode }),
  defineApi({ apiKey, version: 7, decode: v7Request.decode, handle, encode: v7Response.encode }),
  defineApi({ apiKey, version: 8, decode: v8Request.decode, handle, encode: v8Response.encode }),
];
