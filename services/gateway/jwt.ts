import type { FastifyRequest } from 'fastify';
import { errors, jwtVerify } from 'jose';
import { HttpError } from '../kit/http.ts';

export interface Caller {
  id: string;
  role: string;
}

/** Verifies the bearer token (HS256, issued by auth); distinguishes missing, expired and invalid. */
export async function authenticate(request: FastifyRequest, secret: Uint8Array): Promise<Caller> {
  const header = request.headers.authorization;
  if (!header) throw new HttpError(401, 'E_UNAUTHENTICATED', 'missing Authorization: Bearer <token>');
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match)
    throw new HttpError(401, 'E_UNAUTHENTICATED', 'the Authorization header must be "Bearer <token>"');
  try {
    const { payload } = await jwtVerify(match[1]!, secret, { algorithms: ['HS256'], issuer: 'lab-auth' });
    if (typeof payload.sub !== 'string')
      throw new HttpError(401, 'E_TOKEN_INVALID', 'the token has no subject');
    return { id: payload.sub, role: typeof payload.role === 'string' ? payload.role : 'customer' };
  } catch (error) {
    if (error instanceof HttpError) throw error;
    if (error instanceof errors.JWTExpired)
      throw new HttpError(401, 'E_TOKEN_EXPIRED', 'the token has expired: log in again');
    throw new HttpError(401, 'E_TOKEN_INVALID', 'the token is invalid');
  }
}
