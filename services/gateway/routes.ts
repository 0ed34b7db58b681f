import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HttpError, hasAdminToken, parseInput } from '../kit/http.ts';
import { annotateRequest, inSpan, requestTraceparent, SpanKind } from '../kit/tracing.ts';
import type { HttpFaults } from './http-faults.ts';
import { type Caller, TokenVerifier } from './jwt.ts';
import { callUpstream, expectOk, upstreamUnavailable } from './upstream.ts';

export const UPSTREAMS = ['auth', 'catalog', 'inventory', 'order', 'payment', 'shipping', 'search'] as const;
export type Upstream = (typeof UPSTREAMS)[number];

export interface GatewayOptions {
  upstreams: Record<Upstream, string>;
  jwtSecret: Uint8Array;
  adminToken: string | undefined;
  /** The `http_error` faults on the gateway's links (http-faults.ts). */
  faults: HttpFaults;
}

const orderBody = z.object({
  lines: z
    .array(
      z
        .object({
          product_id: z.uuid().optional(),
          sku: z.string().min(1).max(64).optional(),
          quantity: z.number().int().positive('quantity must be a positive integer').max(1000),
        })
        .refine(
          (line) => line.product_id !== undefined || line.sku !== undefined,
          'product_id or sku is required',
        ),
    )
    .min(1, 'an order needs at least one line')
    .max(50),
});
const idParams = z.object({ id: z.uuid() });
const adminProduct = z.object({
  sku: z.string().min(1),
  name: z.string().optional(),
  price_cents: z.number().int().positive(),
  stock: z
    .object({
      units: z.number().int().positive(),
      produced_at: z.string().optional(),
      expires_at: z.string().nullable().optional(),
    })
    .optional(),
  // Validated by catalog, which owns the declaration (BakeSchedule).
  schedule: z.unknown().optional(),
});
const adminCustomer = z.object({
  email: z.string(),
  password: z.string(),
  role: z.enum(['customer', 'admin']).optional(),
  balance_cents: z.number().int().min(0).optional(),
});

/**
 * The one public entry: verifies JWTs, then calls the services' internal APIs with the caller's
 * id. Order placement is composed here: catalog prices the lines, then order records them, so a
 * bad line (unknown product) is refused before anything is written or published.
 */
export function gatewayRoutes(app: FastifyInstance, options: GatewayOptions): void {
  const { upstreams, jwtSecret, adminToken, faults } = options;
  const tokens = new TokenVerifier(jwtSecret);
  const call = async (
    service: Upstream,
    path: string,
    request: FastifyRequest,
    init: { method?: string; body?: unknown; admin?: boolean } = {},
  ) => {
    const injected = faults.decide(service);
    if (injected.kind === 'reset') throw upstreamUnavailable(service, 'connection reset (http_error fault)');
    if (injected.kind === 'status')
      return expectOk(service, {
        status: injected.status,
        body: { error: { code: 'E_INJECTED', message: `http_error fault: ${injected.status}` } },
      });
    const method = init.method ?? 'GET';
    const response = await inSpan(
      `${method} ${service}`,
      { parent: requestTraceparent(request), kind: SpanKind.CLIENT, attributes: { 'peer.service': service } },
      (traceparent) =>
        callUpstream(service, upstreams[service], path, {
          method,
          body: init.body,
          headers: {
            'x-correlation-id': request.correlationId,
            ...(traceparent ? { traceparent } : {}),
            ...(init.admin && adminToken ? { 'x-lab-admin-token': adminToken } : {}),
          },
        }),
    );
    return expectOk(service, response);
  };
  const requireAdmin = async (request: FastifyRequest): Promise<void> => {
    if (hasAdminToken(request, adminToken)) return;
    if (!request.headers.authorization)
      throw new HttpError(401, 'E_UNAUTHENTICATED', 'admin endpoints need x-lab-admin-token or an admin JWT');
    const caller = await tokens.authenticate(request);
    if (caller.role !== 'admin') throw new HttpError(403, 'E_FORBIDDEN', 'admin endpoints need an admin');
  };
  const customer = (request: FastifyRequest): Promise<Caller> => tokens.authenticate(request);

  app.post('/api/auth/register', async (request: FastifyRequest, reply: FastifyReply) => {
    const body = request.body as Record<string, unknown> | null;
    // Roles are for the admin seed endpoint only.
    const { role: _ignored, ...rest } = typeof body === 'object' && body !== null ? body : {};
    return reply.status(201).send(await call('auth', '/register', request, { method: 'POST', body: rest }));
  });
  app.post('/api/auth/login', async (request: FastifyRequest) =>
    call('auth', '/login', request, { method: 'POST', body: request.body ?? {} }),
  );

  app.get('/api/catalog/products', async (request: FastifyRequest) => call('catalog', '/products', request));
  app.get('/api/inventory/stock', async (request: FastifyRequest) => call('inventory', '/stock', request));
  // The read side: the query string goes through as it came (search validates it).
  app.get('/api/search/products', async (request: FastifyRequest) => {
    const query = request.url.indexOf('?');
    return call('search', `/products${query < 0 ? '' : request.url.slice(query)}`, request);
  });

  app.get('/api/payment/account', async (request: FastifyRequest) => {
    const caller = await customer(request);
    return call('payment', `/accounts/${caller.id}`, request);
  });
  app.post('/api/payment/account/top-up', async (request: FastifyRequest) => {
    const caller = await customer(request);
    return call('payment', `/accounts/${caller.id}/top-up`, request, {
      method: 'POST',
      body: request.body ?? {},
    });
  });

  app.post('/api/order/orders', async (request: FastifyRequest, reply: FastifyReply) => {
    const caller = await customer(request);
    const body = parseInput(orderBody, request.body);
    const quote = (await call('catalog', '/quote', request, { method: 'POST', body })) as {
      lines: unknown[];
    };
    const placed = await call('order', '/orders', request, {
      method: 'POST',
      body: { customer_id: caller.id, lines: quote.lines },
    });
    annotateRequest(request, { 'lab.order_id': String((placed as { order?: { id?: unknown } }).order?.id) });
    return reply.status(202).send(placed);
  });
  app.get('/api/order/orders', async (request: FastifyRequest) => {
    const caller = await customer(request);
    return call('order', `/orders?customer_id=${caller.id}`, request);
  });
  app.get('/api/order/orders/:id', async (request: FastifyRequest) => {
    const caller = await customer(request);
    const { id } = parseInput(idParams, request.params);
    return call('order', `/orders/${id}?customer_id=${caller.id}`, request);
  });
  app.post('/api/order/orders/:id/cancel', async (request: FastifyRequest, reply: FastifyReply) => {
    const caller = await customer(request);
    const { id } = parseInput(idParams, request.params);
    return reply.status(202).send(
      await call('order', `/orders/${id}/cancel`, request, {
        method: 'POST',
        body: { customer_id: caller.id },
      }),
    );
  });

  app.post('/api/admin/products', async (request: FastifyRequest, reply: FastifyReply) => {
    await requireAdmin(request);
    const body = parseInput(adminProduct, request.body);
    const { product } = (await call('catalog', '/products', request, {
      method: 'POST',
      admin: true,
      body: { sku: body.sku, name: body.name, price_cents: body.price_cents, schedule: body.schedule },
    })) as { product: { id: string } };
    const stock = body.stock
      ? await call('inventory', '/stock', request, {
          method: 'POST',
          admin: true,
          body: { product_id: product.id, ...body.stock },
        })
      : undefined;
    return reply.status(201).send({ product, stock });
  });
  app.put('/api/admin/products/:id/schedule', async (request: FastifyRequest) => {
    await requireAdmin(request);
    const { id } = parseInput(idParams, request.params);
    return call('catalog', `/products/${id}/schedule`, request, {
      method: 'PUT',
      admin: true,
      body: request.body ?? {},
    });
  });
  app.post('/api/admin/stock', async (request: FastifyRequest, reply: FastifyReply) => {
    await requireAdmin(request);
    return reply
      .status(201)
      .send(
        await call('inventory', '/stock', request, { method: 'POST', admin: true, body: request.body ?? {} }),
      );
  });
  app.post('/api/admin/customers', async (request: FastifyRequest, reply: FastifyReply) => {
    await requireAdmin(request);
    const body = parseInput(adminCustomer, request.body);
    const registered = (await call('auth', '/register', request, {
      method: 'POST',
      admin: true,
      body: { email: body.email, password: body.password, role: body.role },
    })) as { user: { id: string }; token: string };
    let balance = 0;
    if (body.balance_cents && body.balance_cents > 0) {
      const account = (await call('payment', `/accounts/${registered.user.id}/top-up`, request, {
        method: 'POST',
        body: { amount_cents: body.balance_cents },
      })) as { balance_cents: number };
      balance = account.balance_cents;
    }
    return reply.status(201).send({ ...registered, balance_cents: balance });
  });
}
