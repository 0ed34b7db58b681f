/**
 * The registry of API versions the broker implements: the single source of truth for both
 * dispatch and the ApiVersions response (a version is advertised iff it is registered here).
 *
 * How to register an API version:
 *   1. Under protocol/requests/<api>/v<N>/ write `request.ts` exporting
 *      `decode(reader: Reader, header: RequestHeader): Request` and `response.ts` exporting
 *      `encode(writer: Writer, response: Response, header: RequestHeader): void`
 *      (the body only: the broker writes size + response header itself).
 *   2. Write the handler (shared by the versions of one API, usually
 *      protocol/requests/<api>/handler.ts): `(request, ctx: RequestContext) => Response`, sync or
 *      async. Return NO_RESPONSE when the protocol says the broker stays silent (Produce acks=0).
 *   3. protocol/requests/<api>/index.ts registers them all in one line,
 *      `await versionsIn(import.meta.dirname, ApiKey.<Api>, handle)`: every `v<N>/` folder beside
 *      it is one version, so a new version is a new folder. Add that API's array to the list in
 *      protocol/requests/index.ts (one line).
 * Versions of one API must be contiguous: ApiVersions advertises [min, max] per API key.
 * Flexible (compact/tagged) versions are known from api-keys.ts; the request header is
 * parsed, and the response header written, accordingly by the broker.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RequestContext } from './context.ts';
import type { RequestHeader } from './header.ts';
import type { Reader } from './reader.ts';
import type { Writer } from './writer.ts';

export const NO_RESPONSE: unique symbol = Symbol('no response');
export type NoResponse = typeof NO_RESPONSE;

export interface ApiVersionHandler<Request = unknown, Response = unknown> {
  apiKey: number;
  version: number;
  decode(reader: Reader, header: RequestHeader): Request;
  handle(request: Request, ctx: RequestContext): Response | NoResponse | Promise<Response | NoResponse>;
  encode(writer: Writer, response: Response, header: RequestHeader): void;
}

/** Typed constructor: keeps decode/handle/encode consistent, erases the types for the registry. */
export function defineApi<Request, Response>(
  handler: ApiVersionHandler<Request, Response>,
): ApiVersionHandler {
  return handler as unknown as ApiVersionHandler;
}

export interface ApiVersionRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

export class ApiRegistry {
  private readonly handlers = new Map<number, Map<number, ApiVersionHandler>>();

  constructor(handlers: readonly ApiVersionHandler[] = []) {
    for (const handler of handlers) this.register(handler);
  }

  register(handler: ApiVersionHandler): this {
    let versions = this.handlers.get(handler.apiKey);
    if (!versions) {
      versions = new Map();
      this.handlers.set(handler.apiKey, versions);
    }
    if (versions.has(handler.version)) {
      throw new Error(`API ${handler.apiKey} v${handler.version} registered twice`);
    }
    versions.set(handler.version, handler);
    return this;
  }

  lookup(apiKey: number, version: number): ApiVersionHandler | undefined {
    return this.handlers.get(apiKey)?.get(version);
  }

  /** [min, max] per API key, sorted by key; throws when an API's versions have a gap. */
  ranges(): ApiVersionRange[] {
    const ranges: ApiVersionRange[] = [];
    for (const [apiKey, versions] of [...this.handlers].sort(([a], [b]) => a - b)) {
      const sorted = [...versions.keys()].sort((a, b) => a - b);
      const minVersion = sorted[0] ?? 0;
      const maxVersion = sorted[sorted.length - 1] ?? 0;
      if (maxVersion - minVersion + 1 !== sorted.length) {
        throw new Error(`API ${apiKey} versions are not contiguous: ${sorted.join(',')}`);
      }
      ranges.push({ apiKey, minVersion, maxVersion });
    }
    return ranges;
  }
}

/**
 * Every version of one API from its folder: each `v<N>/` holds `request.ts` (decode) and
 * `response.ts` (encode), all sharing `handle`.
 */
export async function versionsIn<Request, Response>(
  apiDir: string,
  apiKey: number,
  handle: ApiVersionHandler<Request, Response>['handle'],
): Promise<ApiVersionHandler[]> {
  const versions = readdirSync(apiDir)
    .flatMap((entry) => {
      const match = /^v(\d+)$/.exec(entry);
      return match ? [Number(match[1])] : [];
    })
    .sort((a, b) => a - b);
  const codec = (version: number, file: string) =>
    import(pathToFileURL(path.join(apiDir, `v${version}`, file)).href);
  return Promise.all(
    versions.map(async (version) => {
      const [request, response] = await Promise.all([
        codec(version, 'request.ts'),
        codec(version, 'response.ts'),
      ]);
      return defineApi<Request, Response>({
        apiKey,
        version,
        decode: request.decode,
        handle,
        encode: response.encode,
      });
    }),
  );
}
