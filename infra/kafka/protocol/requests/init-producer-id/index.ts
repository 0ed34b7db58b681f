import { ApiKey } from '../../api-keys.ts';
import { type ApiVersionHandler, defineApi } from '../../registry.ts';
import { handleInitProducerId as handle } from './handler.ts';
import * as v0Request from './v0/request.ts';
import * as v0Response from './v0/response.ts';
import * as v1Request from './v1/request.ts';
import * as v1Response from './v1/response.ts';

const apiKey = ApiKey.InitProducerId;

export const initProducerIdApis: ApiVersionHandler[] = [
  defineApi({ apiKey, version: 0, decode: v0Request.decode, handle, encode: v0Response.encode }),
  defineApi({ apiKey, version: 1, decode: v1Request.decode, handle, encode: v1Response.encode }),
];
