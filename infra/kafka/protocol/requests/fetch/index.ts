import { ApiKey } from '../../api-keys.ts';
import { type ApiVersionHandler, defineApi } from '../../registry.ts';
import { handleFetch as handle } from './handler.ts';
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
import * as v9Request from './v9/request.ts';
import * as v9Response from './v9/response.ts';
import * as v10Request from './v10/request.ts';
import * as v10Response from './v10/response.ts';
import * as v11Request from './v11/request.ts';
import * as v11Response from './v11/response.ts';
import * as v12Request from './v12/request.ts';
import * as v12Response from './v12/response.ts';

const apiKey = ApiKey.Fetch;

export const fetchApis: ApiVersionHandler[] = [
  defineApi({ apiKey, version: 4, decode: v4Request.decode, handle, encode: v4Response.encode }),
  defineApi({ apiKey, version: 5, decode: v5Request.decode, handle, encode: v5Response.encode }),
  defineApi({ apiKey, version: 6, decode: v6Request.decode, handle, encode: v6Response.encode }),
  defineApi({ apiKey, version: 7, decode: v7Request.decode, handle, encode: v7Response.encode }),
  defineApi({ apiKey, version: 8, decode: v8Request.decode, handle, encode: v8Response.encode }),
  defineApi({ apiKey, version: 9, decode: v9Request.decode, handle, encode: v9Response.encode }),
  defineApi({ apiKey, version: 10, decode: v10Request.decode, handle, encode: v10Response.encode }),
  defineApi({ apiKey, version: 11, decode: v11Request.decode, handle, encode: v11Response.encode }),
  defineApi({ apiKey, version: 12, decode: v12Request.decode, handle, encode: v12Response.encode }),
];
