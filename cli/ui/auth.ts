/**
 * Who may change the stack from the console: the holder of the home's admin secret. The URL `lab
 * ui` prints carries it once (`?token=`); the console then sets an HttpOnly, SameSite=Strict
 * cookie (derived from the secret, never the secret itself) and redirects to a clean URL, as
 * Jupyter does. SameSite=Strict keeps other sites' pages from riding on the cookie (CSRF); the
 * Host check keeps a DNS-rebinding page from reaching the loopback port under its own name.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export const COOKIE_NAME = 'lab_console';

export function cookieValue(secret: string): string {
  return createHmac('sha256', secret).update('lab console session').digest('hex');
}

function equal(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}

export function sessionCookie(secret: string): string {
  return `${COOKIE_NAME}=${cookieValue(secret)}; HttpOnly; SameSite=Strict; Path=/`;
}

/** The request carries the console cookie, or the admin secret itself (scripts: x-lab-admin-token). */
export function isAuthorised(request: FastifyRequest, secret: string): boolean {
  const header = request.headers['x-lab-admin-token'];
  if (typeof header === 'string' && equal(header, secret)) return true;
  const cookie = readCookie(request.headers.cookie, COOKIE_NAME);
  return cookie !== undefined && equal(cookie, cookieValue(secret));
}

/** Only the loopback names of this port: anything else is a page that rebound its DNS to us. */
export function hostAllowed(request: FastifyRequest, port: number): boolean {
  const host = request.headers.host ?? '';
  return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
}

export function refuse(reply: FastifyReply, status: number, code: string, message: string): FastifyReply {
  return reply.code(status).send({ error: { code, message } });
}
