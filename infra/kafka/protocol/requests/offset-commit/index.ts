import { defineVersions } from '../../../groups/define-versions.ts';
import { ApiKey } from '../../api-keys.ts';
import { handleOffsetCommit } from './handler.ts';
import * as v0Request from './v0/request.ts';
import * as v0Response from './v0/response.ts';
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

export const offsetCommitApis = defineVersions({
  apiKey: ApiKey.OffsetCommit,
  handle: handleOffsetCommit,
  versions: [
    { request: v0Request, response: v0Response },
    { request: v1Request, response: v1Response },
    { request: v2Request, response: v2Response },
    { request: v3Request, response: v3Response },
    { request: v4Request, response: v4Response },
    { request: v5Request, response: v5Response },
  ],
});
