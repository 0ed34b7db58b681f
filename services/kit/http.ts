import { randomUUID, timingSafeEqual } from 'node:crypto';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { z } from 'zod';
import type { Logger } from './log.ts';
import { isTransientDatabaseError } from './retry.ts';
import { traceRequests } from './tracing.ts';

/** An error with a stable code for the client: `{"error": {"code", "message"}}`. */
export class HttpError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
  }
}

export function errorBody(code: string, message: string): { error: { code: string; message: string } } {
  return { error: { code, message } };
}

/** Validates a body against a zod schema; the first problem becomes a 400 E_VALIDATION. */
export function parseInput<T>(schema: z.ZodType<T>, input: unknown): T {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new HttpError(400, 'E_VALIDATION', `${where}${issue?.message ?? 'invalid input'}`);
}

declare module 'fastify' {
  interface FastifyRequest {
    correlationId: string;
  }
}

export const ADMIN_TOKEN_HEADER = 'x-lab-admin-token';

export function hasAdminToken(request: FastifyRequest, token: string | undefined): boolean {
  const given = request.headers[ADMIN_TOKEN_HEADER];
  if (!token || typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function requireAdmin(request: FastifyRequest, token: string | undefined): void {
  if (!token)
    throw new HttpError(403, 'E_FORBIDDEN', 'admin endpoints are disabled: LAB_ADMIN_TOKEN is not set');
  if (!hasAdminToken(request, token))
    throw new HttpError(401, 'E_UNAUTHENTICATED', `admin endpoints need the ${ADMIN_TOKEN_HEADER} header`);
}

function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof z.ZodError)
    return new HttpError(400, 'E_VALIDATION', error.issues[0]?.message ?? 'invalid input');
  const fastifyError = error as { statusCode?: number; code?: string; message?: string };
  if (
    fastifyError.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    fastifyError.code === 'FST_ERR_CTP_INVALID_JSON_BODY'
  )
    return new HttpError(400, 'E_BAD_JSON', 'the body is not valid JSON');
  if (fastifyError.statusCode === 400 && error instanceof SyntaxError)
    return new HttpError(400, 'E_BAD_JSON', `the body is not valid JSON: ${error.message}`);
  if (fastifyError.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return new HttpError(415, 'E_UNSUPPORTED_MEDIA_TYPE', 'send JSON with content-type: application/json');
  if (fastifyError.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return new HttpError(413, 'E_TOO_LARGE', 'the body is too large');
  if (
    typeof fastifyError.statusCode === 'number' &&
    fastifyError.statusCode >= 400 &&
    fastifyError.statusCode < 500
  )
    return new HttpError(fastifyError.statusCode, 'E_BAD_REQUEST', fastifyError.message ?? 'bad request');
  if (isTransientDatabaseError(error))
    return new HttpError(503, 'E_UNAVAILABLE', 'a dependency is unavailable, retry later');
  return new HttpError(500, 'E_INTERNAL', 'internal error');
}

/**
 * Fastify with the lab's conventions: JSON logs through pino (no per-request noise), a
 * correlation id per request (taken from `x-correlation-id` or made up, echoed back), and errors
 * as `{"error": {"code", "message"}}`.
 */
export function createHttpServer(log: Logger): FastifyInstance {
  const app = Fastify({
    loggerInstance: log,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 256 * 1024,
    genReqId: (request) => {
      const given = request.headers['x-correlation-id'];
      return typeof given === 'string' && /^[\w.:-]{1,128}$/.test(given) ? given : randomUUID();
    },
  }) as unknown as FastifyInstance;
  app.decorateRequest('correlationId', '');
  traceRequests(app);
  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    request.correlationId = String(request.id);
    reply.header('x-correlation-id', request.correlationId);
  });
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const http = toHttpError(error);
    if (http.status >= 500)
      request.log.error({ err: error, correlationId: request.correlationId }, 'request failed');
    void reply.status(http.status).send(errorBody(http.code, http.message));
  });
  app.setNotFoundHandler((request: FastifyRequest, reply: FastifyReply) => {
    void reply.status(404).send(errorBody('E_NOT_FOUND', `no route ${request.method} ${request.url}`));
  });
  return app;
}
