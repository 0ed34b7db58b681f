/**
 * Registers consecutive versions (from `firstVersion`) of one group API that share a handler:
 * each entry is the `request.ts` and `response.ts` module of one version folder.
 */
import type { RequestContext } from '../protocol/context.ts';
import type { RequestHeader } from '../protocol/header.ts';
import type { Reader } from '../protocol/reader.ts';
import { type ApiVersionHandler, defineApi } from '../protocol/registry.ts';
import type { Writer } from '../protocol/writer.ts';

interface VersionCodec<Request, Response> {
  request: { decode(reader: Reader, header: RequestHeader): Request };
  response: { encode(writer: Writer, response: Response, header: RequestHeader): void };
}

export function defineVersions<Request, Response>(options: {
  apiKey: number;
  firstVersion?: number;
  handle: (request: Request, ctx: RequestContext) => Response | Promise<Response>;
  versions: VersionCodec<Request, Response>[];
}): ApiVersionHandler[] {
  const first = options.firstVersion ?? 0;
  return options.versions.map(({ request, response }, index) =>
    defineApi<Request, Response>({
      apiKey: options.apiKey,
      version: first + index,
      decode: request.decode,
      handle: options.handle,
      encode: response.encode,
    }),
  );
}
