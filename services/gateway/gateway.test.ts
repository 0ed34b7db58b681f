import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyRequest } from 'fastify';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenVerifier } from './jwt.ts';
import { callUpstream } from './upstream.ts';

const secret = new TextEncoder().encode('gateway-test-secret-0123456789');
const request = (authorization?: string) =>
  ({ headers: authorization ? { authorization } : {} }) as unknown as FastifyRequest;
const sign = (key: Uint8Array, expiresAt: number, subject = randomUUID()) =>
  new SignJWT({ role: 'customer' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(subject)
    .setIssuer('lab-auth')
    .setExpirationTime(expiresAt)
    .sign(key);
const now = () => Math.floor(Date.now() / 1000);

describe('TokenVerifier', () => {
  const verifier = new TokenVerifier(secret);

  it('answers the caller of a valid token, again from memory', async () => {
    const subject = randomUUID();
    const token = await sign(secret, now() + 3600, subject);
    expect(await verifier.authenticate(request(`Bearer ${token}`))).toEqual({
      id: subject,
      role: 'customer',
    });
    expect(await verifier.authenticate(request(`Bearer ${token}`))).toEqual({
      id: subject,
      role: 'customer',
    });
  });

  it('refuses missing, malformed, forged and expired tokens with their codes', async () => {
    const code = (authorization?: string) =>
      verifier.authenticate(request(authorization)).then(
        () => 'accepted',
        (error: { code: string }) => error.code,
      );
    expect(await code()).toBe('E_UNAUTHENTICATED');
    expect(await code('Token abc')).toBe('E_UNAUTHENTICATED');
    expect(await code('Bearer abc.def.ghi')).toBe('E_TOKEN_INVALID');
    const forged = await sign(new TextEncoder().encode('not-the-secret-not-the-secret'), now() + 3600);
    expect(await code(`Bearer ${forged}`)).toBe('E_TOKEN_INVALID');
    expect(await code(`Bearer ${await sign(secret, now() - 10)}`)).toBe('E_TOKEN_EXPIRED');
  });

  it('a remembered token still expires on time', async () => {
    const token = await sign(secret, now() + 1);
    await verifier.authenticate(request(`Bearer ${token}`));
    await sleep(2100);
    await expect(verifier.authenticate(request(`Bearer ${token}`))).rejects.toMatchObject({
      code: 'E_TOKEN_EXPIRED',
    });
  });
});

describe('callUpstream', () => {
  let server: Server;
  let base: string;
  const ports = new Set<number>();

  beforeAll(async () => {
    server = createServer((req, res) => {
      ports.add(req.socket.remotePort!);
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        if (req.url === '/echo') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ method: req.method, body: Buffer.concat(chunks).toString() }));
        } else if (req.url === '/text') res.end('not json');
        else if (req.url === '/cut') {
          res.writeHead(200, { 'content-length': '100' });
          res.write('{"partial":');
          setTimeout(() => res.socket?.destroy(), 20);
        } else if (req.url === '/refuse') {
          res.writeHead(422, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { code: 'E_UNKNOWN_PRODUCT', message: 'no' } }));
        }
        // /silent: never answers
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('sends JSON and reuses its connection', async () => {
    ports.clear();
    for (let i = 0; i < 3; i++)
      expect(await callUpstream('svc', base, '/echo', { method: 'POST', body: { n: i } })).toEqual({
        status: 200,
        body: { method: 'POST', body: JSON.stringify({ n: i }) },
      });
    expect(ports.size).toBe(1);
    expect(await callUpstream('svc', base, '/refuse')).toEqual({
      status: 422,
      body: { error: { code: 'E_UNKNOWN_PRODUCT', message: 'no' } },
    });
  });

  it('a non-JSON answer, a cut answer, no answer and no server are 503 E_UPSTREAM_UNAVAILABLE', async () => {
    const code = (url: string, path: string) =>
      callUpstream('svc', url, path, { timeoutMs: 300 }).then(
        () => 'answered',
        (error: { status: number; code: string }) => `${error.status} ${error.code}`,
      );
    expect(await code(base, '/text')).toBe('503 E_UPSTREAM_UNAVAILABLE');
    expect(await code(base, '/cut')).toBe('503 E_UPSTREAM_UNAVAILABLE');
    expect(await code(base, '/silent')).toBe('503 E_UPSTREAM_UNAVAILABLE');
    expect(await code('http://127.0.0.1:1', '/echo')).toBe('503 E_UPSTREAM_UNAVAILABLE');
  });
});
