/** The gateway's http_error faults, over real HTTP: the gateway's routes in front of a real upstream. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpServer } from '../kit/http.ts';
import { createLogger } from '../kit/log.ts';
import { HttpFaults } from './http-faults.ts';
import { gatewayRoutes, UPSTREAMS, type Upstream } from './routes.ts';

const TOKEN = 'gateway-http-faults-token';
let upstream: Server;
let upstreamCalls = 0;
let gateway: FastifyInstance;
let base: string;

beforeAll(async () => {
  upstream = createServer((_request, response) => {
    upstreamCalls += 1;
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{"products":[]}');
  });
  await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
  const upstreamUrl = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  gateway = createHttpServer(createLogger('gateway', 'silent'));
  const faults = new HttpFaults(UPSTREAMS);
  faults.register(gateway, TOKEN);
  gatewayRoutes(gateway, {
    upstreams: Object.fromEntries(UPSTREAMS.map((service) => [service, upstreamUrl])) as Record<
      Upstream,
      string
    >,
    jwtSecret: new TextEncoder().encode('gateway-http-faults-secret-0123'),
    adminToken: TOKEN,
    faults,
  });
  await gateway.listen({ host: '127.0.0.1', port: 0 });
  base = `http://127.0.0.1:${(gateway.server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await gateway.close();
  upstream.closeAllConnections();
  await new Promise((resolve) => upstream.close(resolve));
});

const admin = (path: string, body: unknown, token: string | null = TOKEN) =>
  fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { 'x-lab-admin-token': token } : {}) },
    body: JSON.stringify(body),
  });
const products = async () => {
  const response = await fetch(`${base}/api/catalog/products`);
  return {
    status: response.status,
    body: (await response.json()) as { error?: { code: string; message: string } },
  };
};

beforeEach(async () => {
  expect((await admin('/admin/reset', {})).status).toBe(200);
  upstreamCalls = 0;
});

describe('http_error on a gateway link', () => {
  it('is refused without the admin secret, and nothing changes', async () => {
    const refused = await admin(
      '/admin/faults',
      { http_error: { catalog: { status: 503, first: 5 } } },
      null,
    );
    expect(refused.status).toBe(401);
    expect((await products()).status).toBe(200);
  });

  it('fails the first N calls with the status (5xx: the gateway answers 503), then passes', async () => {
    await admin('/admin/faults', { http_error: { catalog: { status: 500, first: 2 } } });
    const answers = [await products(), await products(), await products()];
    expect(answers.map((answer) => answer.status)).toEqual([503, 503, 200]);
    expect(answers[0]!.body.error?.code).toBe('E_UPSTREAM_UNAVAILABLE');
    expect(upstreamCalls).toBe(1);
    const snapshot = (await (
      await fetch(`${base}/admin/faults`, { headers: { 'x-lab-admin-token': TOKEN } })
    ).json()) as { http_error: Record<string, unknown> };
    expect(snapshot.http_error.catalog).toMatchObject({ status: 500, first: 2, injected: 2 });
  });

  it('a 4xx status reaches the client as it is; other services are untouched', async () => {
    await admin('/admin/faults', { http_error: { catalog: { status: 429, probability: 1 } } });
    expect((await products()).status).toBe(429);
    expect((await fetch(`${base}/api/inventory/stock`)).status).toBe(200);
  });

  it('reset: true cuts the call as a reset connection would', async () => {
    await admin('/admin/faults', { http_error: { catalog: { reset: true, first: 1 } } });
    const cut = await products();
    expect(cut.status).toBe(503);
    expect(cut.body.error?.message).toContain('connection reset');
    expect(upstreamCalls).toBe(0);
  });

  it('a seeded probability fails the same calls every time', async () => {
    const pattern = async () => {
      await admin('/admin/faults', { http_error: { catalog: { status: 503, probability: 0.5, seed: 42 } } });
      const statuses: number[] = [];
      for (let call = 0; call < 16; call++) statuses.push((await products()).status);
      return statuses;
    };
    const first = await pattern();
    expect(await pattern()).toEqual(first);
    expect(first).toContain(503);
    expect(first).toContain(200);
  });

  it('clears on null and on /admin/reset; refuses a malformed fault with 400', async () => {
    await admin('/admin/faults', { http_error: { catalog: { status: 503, probability: 1 } } });
    await admin('/admin/faults', { http_error: { catalog: null } });
    expect((await products()).status).toBe(200);
    const both = await admin('/admin/faults', {
      http_error: { catalog: { status: 503, first: 1, probability: 1 } },
    });
    expect(both.status).toBe(400);
    const unknown = await admin('/admin/faults', { http_error: { kitchen: { status: 503, first: 1 } } });
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('E_UNKNOWN_UPSTREAM');
    expect((await products()).status).toBe(200);
  });
});
