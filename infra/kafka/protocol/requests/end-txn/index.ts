import { defineVersions } from '../../../groups/define-versions.ts';
import { ApiKey } from '../../api-keys.ts';
import { handleEndTxn } from './handler.ts';
import * as v0Request from './v0/request.ts';
import * as v0Response from './v0/response.ts';
import * as v1Request from './v1/request.ts';
import * as v1Response from './v1/response.ts';

export const endTxnApis = defineVersions({
  apiKey: ApiKey.EndTxn,
  handle: handleEndTxn,
  versions: [
    { request: v0Request, response: v0Response },
    { request: v1Request, response: v1Response },
  ],
});
