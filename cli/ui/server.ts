/**
 * The console's HTTP server (fastify), loopback only. Read-only views are open to any local
 * browser; every mutating route needs the admin secret (auth.ts) and answers 401 without it,
 * before anything is touched. Live data goes out as Server-Sent Events, one message per 250 ms
 * batch at most, never one per broker event.
 */

import { readdirSync } from 'node:fs';
import path from 'node:path';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { LabError } from '../../common/errors.ts';
import { PATTERN_SWITCHES, type PatternSwitch } from '../../common/roster.ts';
import { hostAllowed, isAuthorised, refuse, sessionCookie } from './auth.ts';
import type { ConsoleHub } from './hub.ts';
import { browserModule, INDEX_HTML, stylesheet } from './modules.ts';

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

const PROCESS_ACTIONS = ['kill', 'pause', 'resume', 'restart'] as const;
const APP_FAULTS = ['duplicate', 'redeliver', 'relay_crash', 'poison'] as const;

type Body = Record<string, unknown>;

const SCENARIOS_DIR = path.resolve(import.meta.dirname, '../../scenarios');

/** The bundled scenarios by name (the loader, with its schema, is loaded only to run one). */
function scenarioNames(): string[] {
  return readdirSync(SCENARIOS_DIR)
    .filter((entry) => /\.ya?ml$/.test(entry))
    .map((entry) => entry.replace(/\.ya?ml$/, ''))
    .sort();
}

/** The toxics the fault proxy offers, loaded on first use: an idle console stays small. */
async function toxicKinds() {
  const { TOXICS } = await import('../../infra/fault-proxy/toxics/index.ts');
  return [...TOXICS.values()];
}

function text(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '')
    throw new LabError('E_BAD_REQUEST', `'${field}' is required`);
  return value;
}

function count(value: unknown, field: string, max: number): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0 || number > max)
    throw new LabError('E_BAD_REQUEST', `'${field}' must be a number in (0, ${max}]`);
  return number;
}

export interface ConsoleServerOptions {
  /** The admin secret mutating requests must prove. */
  secret: string;
  /** The hub and everything it loads (kafkajs, pg, the runtimes) come on first use. */
  hub: () => Promise<ConsoleHub>;
  port: () => number;
}

export function createConsoleServer(options: ConsoleServerOptions): FastifyInstance {
  const { secret } = options;
  const loadHub = options.hub;
  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 });

  app.addHook('onRequest', async (request, reply) => {
    reply.headers(SECURITY_HEADERS);
    if (!hostAllowed(request, options.port()))
      return refuse(reply, 403, 'E_BAD_HOST', 'the console answers only on 127.0.0.1 and localhost');
  });

  app.setErrorHandler((error, _request, reply) => {
    const status = error instanceof LabError ? 400 : ((error as { statusCode?: number }).statusCode ?? 500);
    const code = error instanceof LabError ? error.code : 'E_CONSOLE';
    void refuse(reply, status, code, (error as Error).message);
  });

  app.get('/', async (request: FastifyRequest<{ Querystring: { token?: string } }>, reply) => {
    const token = request.query.token;
    if (token !== undefined) {
      // The token leaves the address bar at once: a bookmark or a screenshot never shows it.
      if (token === secret) reply.header('set-cookie', sessionCookie(secret));
      return reply.redirect('/');
    }
    return reply.type('text/html; charset=utf-8').send(INDEX_HTML);
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/ui.css', async (_request, reply) => reply.type('text/css; charset=utf-8').send(stylesheet()));
  app.get('/m/*', async (request: FastifyRequest<{ Params: { '*': string } }>, reply) => {
    const code = browserModule(request.params['*']);
    if (code === undefined) return refuse(reply, 404, 'E_NOT_FOUND', 'no such module');
    return reply.type('text/javascript; charset=utf-8').send(code);
  });

  app.get('/api/session', async (request) => ({
    authorised: isAuthorised(request, secret),
    toxics: (await toxicKinds()).map((kind) => ({
      type: kind.type,
      description: kind.description,
      attributes: Object.entries(kind.attributes).map(([name, spec]) => ({
        name,
        unit: spec.unit,
        description: spec.description,
      })),
    })),
    patterns: PATTERN_SWITCHES,
    scenarios: scenarioNames(),
  }));
  app.get('/api/snapshot', async () => (await loadHub()).snapshot);
  app.get('/api/orders/:id', async (request: FastifyRequest<{ Params: { id: string } }>, reply) => {
    const saga = await (await loadHub()).orderSaga(request.params.id);
    if (!saga) return refuse(reply, 404, 'E_NO_SUCH_ORDER', `no order ${request.params.id}`);
    return saga;
  });
  app.get('/api/stream', async (request, reply) => {
    const hub = await loadHub();
    reply.hijack();
    reply.raw.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
    });
    let lastSnapshot = '';
    let quietTicks = 0;
    const unsubscribe = hub.subscribe(({ snapshot, events }) => {
      const json = JSON.stringify(snapshot);
      const changed = json !== lastSnapshot;
      if (!changed && events.length === 0) {
        // A comment now and then keeps proxies and the browser from closing an idle stream.
        if (++quietTicks % 60 === 0) reply.raw.write(': idle\n\n');
        return;
      }
      lastSnapshot = json;
      reply.raw.write(`data: {"snapshot":${changed ? json : 'null'},"events":${JSON.stringify(events)}}\n\n`);
    });
    request.raw.on('close', unsubscribe);
  });

  // Everything below changes the stack: the secret first, then the change.
  const guarded = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!isAuthorised(request, secret))
      return refuse(
        reply,
        401,
        'E_UNAUTHORISED',
        'this action needs the lab admin secret: open the URL `lab ui` prints',
      );
  };
  const post = (route: string, handler: (body: Body) => Promise<unknown>) =>
    app.post(
      route,
      { preHandler: guarded },
      async (request) => (await handler((request.body ?? {}) as Body)) ?? { ok: true },
    );

  post('/api/orders', async (body) => {
    const lines = Array.isArray(body.lines) ? body.lines : [{ sku: body.sku, quantity: body.quantity ?? 1 }];
    return {
      order: await (await loadHub()).placeOrder(
        lines.map((line: Body) => ({
          sku: text(line.sku, 'sku'),
          quantity: count(line.quantity, 'quantity', 20),
        })),
      ),
    };
  });
  post('/api/load', async (body) => ({
    load: await (await loadHub()).startLoad(
      count(body.orders, 'orders', 10_000),
      count(body.rate, 'rate', 200),
    ),
  }));
  post('/api/load/stop', async () => (await loadHub()).stopLoad());
  post('/api/links/toxics', async (body) => {
    const type = text(body.type, 'type');
    if (!(await toxicKinds()).some((kind) => kind.type === type))
      throw new LabError('E_BAD_REQUEST', `unknown toxic '${type}'`);
    const link = text(body.link, 'link');
    const stream = body.stream === 'upstream' ? 'upstream' : 'downstream';
    const attributes = Object.fromEntries(
      Object.entries((body.attributes ?? {}) as Body).map(([key, value]) => [key, Number(value)]),
    );
    const client = await (await loadHub()).faultClient();
    const toxic = await client.addToxic(link, {
      type,
      stream,
      toxicity: body.toxicity === undefined ? 1 : Number(body.toxicity),
      attributes,
      name: typeof body.name === 'string' && body.name ? body.name : undefined,
    });
    (await loadHub()).log(`toxic ${toxic.name} on ${link}`, 'warn');
    await (await loadHub()).refresh();
    return { toxic };
  });
  post('/api/links/toxics/remove', async (body) => {
    const link = text(body.link, 'link');
    const name = text(body.name, 'name');
    await (await (await loadHub()).faultClient()).removeToxic(link, name);
    (await loadHub()).log(`removed toxic ${name} from ${link}`);
    await (await loadHub()).refresh();
  });
  post('/api/links/enabled', async (body) => {
    const link = text(body.link, 'link');
    const enabled = body.enabled === true;
    await (await (await loadHub()).faultClient()).setEnabled(link, enabled);
    (await loadHub()).log(`link ${link} ${enabled ? 'up' : 'down'}`, enabled ? 'info' : 'warn');
    await (await loadHub()).refresh();
  });
  post('/api/processes', async (body) => {
    const action = text(body.action, 'action') as (typeof PROCESS_ACTIONS)[number];
    if (!PROCESS_ACTIONS.includes(action)) throw new LabError('E_BAD_REQUEST', `unknown action '${action}'`);
    await (await loadHub()).processAction(action, text(body.target, 'target'));
    await (await loadHub()).refresh();
  });
  post('/api/faults', async (body) => {
    const kind = text(body.kind, 'kind') as (typeof APP_FAULTS)[number];
    if (!APP_FAULTS.includes(kind)) throw new LabError('E_BAD_REQUEST', `unknown app-level fault '${kind}'`);
    return { fault: await (await loadHub()).applyFault(kind, (body.options ?? {}) as Body) };
  });
  post('/api/faults/heal', async (body) =>
    (await loadHub()).healFault(count(body.id, 'id', Number.MAX_SAFE_INTEGER)),
  );
  post('/api/patterns', async (body) => {
    const without = (Array.isArray(body.without) ? body.without : []) as PatternSwitch[];
    // Long (every process restarts): answered at once, progress arrives in the snapshot.
    const switching = (await loadHub()).switchPatterns(without);
    switching.catch(() => {});
    await Promise.race([switching, new Promise((resolve) => setTimeout(resolve, 200))]);
    return { accepted: true };
  });
  post('/api/scenarios', async (body) => {
    const name = text(body.name, 'name');
    if (!scenarioNames().includes(name)) throw new LabError('E_BAD_REQUEST', `no bundled scenario '${name}'`);
    await (await loadHub()).runScenario(name);
    return { accepted: true };
  });
  return app;
}
