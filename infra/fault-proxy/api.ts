/**
 * The HTTP API, answering as Toxiproxy 2.x does: same routes, status codes, JSON shapes and
 * field order, error bodies `{"error": "...", "status": N}`. Requests that change state run one
 * at a time (Toxiproxy holds locks for the same effect).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, asApiError } from './api-error.ts';
import { decodeStruct, parseJsonBody } from './json-body.ts';
import type { ProxyCollection } from './proxy-collection.ts';
import { nextRequestId, REQUEST_ID_HEADER } from './request-id.ts';

/** The Toxiproxy version whose API this one reproduces. */
export const TOXIPROXY_VERSION = '2.12.0';

const MAX_BODY_BYTES = 1024 * 1024;

interface Reply {
  status: number;
  /** Serialized as JSON; undefined for an empty body. */
  body?: unknown;
}

type Handler = (params: string[], body: () => unknown) => Promise<Reply> | Reply;

interface Route {
  pattern: RegExp;
  methods: Record<string, Handler>;
}

function json(status: number, body: unknown): Reply {
  return { status, body };
}

const noContent: Reply = { status: 204 };

function routes(proxies: ProxyCollection): Route[] {
  const segment = '([^/]+)';
  return [
    {
      pattern: /^\/reset$/,
      methods: {
        post: async () => {
          await proxies.reset();
          return noContent;
        },
      },
    },
    {
      pattern: /^\/proxies$/,
      methods: {
        get: () => json(200, Object.fromEntries(proxies.all().map((proxy) => [proxy.name, proxy]))),
        post: async (_, body) => json(201, await proxies.create(body())),
      },
    },
    {
      pattern: /^\/populate$/,
      methods: {
        post: async (_, body) => {
          // Populate answers every failure, validation included, with the proxies done so far.
          const { proxies: done, error } = await proxies
            .populate(body())
            .catch((failure: unknown) => ({ proxies: [], error: asApiError(failure) }));
          // Go marshals an empty slice it never appended to as null.
          const list = done.length > 0 ? done : null;
          return error
            ? json(error.status, { ...error.toJSON(), proxies: list })
            : json(201, { proxies: list });
        },
      },
    },
    {
      pattern: new RegExp(`^/proxies/${segment}$`),
      methods: {
        get: ([name]) => json(200, proxies.get(name ?? '')),
        post: (params, body) => updateProxy(proxies, params, body),
        patch: (params, body) => updateProxy(proxies, params, body),
        delete: async ([name]) => {
          await proxies.remove(name ?? '');
          return noContent;
        },
      },
    },
    {
      pattern: new RegExp(`^/proxies/${segment}/toxics$`),
      methods: {
        get: ([name]) => json(200, proxies.get(name ?? '').toxics.list()),
        // 200, not 201: Toxiproxy answers a created toxic with 200.
        post: ([name], body) => {
          const proxy = proxies.get(name ?? '');
          return json(200, proxy.toxics.add(body()));
        },
      },
    },
    {
      pattern: new RegExp(`^/proxies/${segment}/toxics/${segment}$`),
      methods: {
        get: ([name, toxic]) => json(200, proxies.get(name ?? '').toxics.get(toxic ?? '')),
        post: (params, body) => updateToxic(proxies, params, body),
        patch: (params, body) => updateToxic(proxies, params, body),
        delete: async ([name, toxic]) => {
          await proxies.get(name ?? '').toxics.remove(toxic ?? '');
          return noContent;
        },
      },
    },
  ];
}

async function updateProxy(proxies: ProxyCollection, [name]: string[], body: () => unknown): Promise<Reply> {
  const proxy = proxies.get(name ?? '');
  // Fields left out keep their current value.
  const input = decodeStruct(body(), 'toxiproxy.Proxy', {
    listen: 'string',
    upstream: 'string',
    enabled: 'bool',
  });
  await proxy.update({
    listen: typeof input.listen === 'string' ? input.listen : proxy.listen,
    upstream: typeof input.upstream === 'string' ? input.upstream : proxy.upstream,
    enabled: typeof input.enabled === 'boolean' ? input.enabled : proxy.enabled,
  });
  return json(200, proxy);
}

async function updateToxic(
  proxies: ProxyCollection,
  [name, toxic]: string[],
  body: () => unknown,
): Promise<Reply> {
  const proxy = proxies.get(name ?? '');
  return json(200, await proxy.toxics.update(toxic ?? '', body()));
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new ApiError('bad request body: http: request body too large', 400);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(response: ServerResponse, reply: Reply): void {
  if (reply.body === undefined) {
    response.writeHead(reply.status).end();
    return;
  }
  response.writeHead(reply.status, { 'Content-Type': 'application/json' }).end(JSON.stringify(reply.body));
}

/** As Go's http.Error: text/plain, the JSON error and a newline. */
function sendError(response: ServerResponse, error: ApiError): void {
  response
    .writeHead(error.status, {
      'Content-Type': 'text/plain; charset=utf-8',
      'X-Content-Type-Options': 'nosniff',
    })
    .end(`${JSON.stringify(error.toJSON())}\n`);
}

/** One answered request, for access logs. */
export interface ApiRequestLog {
  method: string;
  path: string;
  status: number;
  ms: number;
}

/** The request handler for node:http's createServer. */
export function createApiHandler(
  proxies: ProxyCollection,
  onRequest?: (entry: ApiRequestLog) => void,
): (request: IncomingMessage, response: ServerResponse) => void {
  const table = routes(proxies);
  let queue: Promise<unknown> = Promise.resolve();

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    // Toxiproxy refuses browsers, so a web page cannot drive it (CSRF).
    if ((request.headers['user-agent'] ?? '').startsWith('Mozilla/')) {
      response
        .writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8' })
        .end('User agent not allowed\n');
      return;
    }
    const path = new URL(request.url ?? '/', 'http://fault-proxy').pathname;
    const method = request.method ?? 'GET';
    // as Toxiproxy's router middleware: every answer of a route (not the 403/404/405 above it)
    const routed =
      (path === '/version' && method === 'GET') ||
      table.some((route) => route.pattern.test(path) && route.methods[method.toLowerCase()]);
    if (routed) response.setHeader(REQUEST_ID_HEADER, nextRequestId());
    if (path === '/version' && method === 'GET') {
      response
        .writeHead(200, { 'Content-Type': 'application/json;charset=utf-8' })
        .end(`{"version": "${TOXIPROXY_VERSION}"}\n`);
      return;
    }
    for (const route of table) {
      const match = route.pattern.exec(path);
      if (!match) continue;
      const handler = route.methods[method.toLowerCase()];
      if (handler === undefined) {
        response.writeHead(405).end();
        return;
      }
      const params = match.slice(1).map((param) => decodeURIComponent(param));
      const text = await readBody(request).catch((error: unknown) => error as ApiError);
      const body = (): unknown => {
        if (text instanceof ApiError) throw text;
        return parseJsonBody(text);
      };
      const run = queue.then(() => handler(params, body));
      queue = run.catch(() => {});
      try {
        send(response, await run);
      } catch (error) {
        sendError(response, asApiError(error));
      }
      return;
    }
    response.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('404 page not found\n');
  };

  return (request, response) => {
    if (onRequest) {
      const start = performance.now();
      response.once('finish', () =>
        onRequest({
          method: request.method ?? '',
          path: request.url ?? '',
          status: response.statusCode,
          ms: Math.round((performance.now() - start) * 10) / 10,
        }),
      );
    }
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) sendError(response, asApiError(error));
    });
  };
}
