import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { SignJWT } from 'jose';
import { z } from 'zod';
import { HttpError, hasAdminToken, parseInput } from '../kit/http.ts';
import type { ServiceContext } from '../kit/service.ts';
import { hashPassword, verifyPassword } from './passwords.ts';

const credentials = z.object({
  email: z
    .email()
    .max(254)
    .transform((email) => email.toLowerCase()),
  password: z.string().min(8, 'password: at least 8 characters').max(200),
  // Only honoured with the admin token (the gateway's seed endpoint); ignored otherwise.
  role: z.enum(['customer', 'admin']).optional(),
});

const login = z.object({ email: z.string().max(254), password: z.string().max(200) });

interface UserRow {
  id: string;
  email: string;
  role: string;
  password_hash: string;
}

export function authRoutes(app: FastifyInstance, { pool, writer, config }: ServiceContext): void {
  const secret = new TextEncoder().encode(config.env.JWT_SECRET ?? '');
  if (secret.length < 16) throw new Error('JWT_SECRET must be set (at least 16 characters)');
  const ttlSeconds = Number(config.env.JWT_TTL_SECONDS ?? 3600);

  const issue = (user: { id: string; email: string; role: string }) =>
    new SignJWT({ email: user.email, role: user.role })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject(user.id)
      .setIssuer('lab-auth')
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .sign(secret);

  app.post('/register', async (request: FastifyRequest, reply) => {
    const body = parseInput(credentials, request.body);
    const role = body.role && hasAdminToken(request, config.adminToken) ? body.role : 'customer';
    const user = { id: randomUUID(), email: body.email, role };
    const passwordHash = await hashPassword(body.password);
    try {
      await writer.transaction(
        { correlationId: request.correlationId, causationId: request.correlationId },
        async (tx) => {
          await tx.client.query(
            'INSERT INTO users (id, email, password_hash, role) VALUES ($1, $2, $3, $4)',
            [user.id, user.email, passwordHash, user.role],
          );
          // The password (and its hash) stays here: the event carries only who registered.
          await tx.emit({
            topic: 'users',
            type: 'UserRegistered',
            aggregateType: 'user',
            aggregateId: user.id,
            payload: { user_id: user.id, email: user.email, role: user.role },
          });
        },
      );
    } catch (error) {
      if ((error as { code?: string }).code === '23505')
        throw new HttpError(409, 'E_EMAIL_TAKEN', `${user.email} is already registered`);
      throw error;
    }
    return reply.status(201).send({ user, token: await issue(user) });
  });

  app.post('/login', async (request: FastifyRequest) => {
    const body = parseInput(login, request.body);
    const { rows } = await pool.query<UserRow>(
      'SELECT id, email, role, password_hash FROM users WHERE email = $1',
      [body.email.toLowerCase()],
    );
    const row = rows[0];
    // Same work and same answer whether the email exists or not.
    const ok = await verifyPassword(
      body.password,
      row?.password_hash ?? 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAA',
    );
    if (!row || !ok) throw new HttpError(401, 'E_BAD_CREDENTIALS', 'wrong email or password');
    const user = { id: row.id, email: row.email, role: row.role };
    return { user, token: await issue(user) };
  });
}
