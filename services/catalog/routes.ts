import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HttpError, parseInput, requireAdmin } from '../kit/http.ts';
import type { ServiceContext } from '../kit/service.ts';

const newProduct = z.object({
  sku: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[\w.-]+$/, 'letters, digits, _ . - only'),
  name: z.string().trim().min(1).max(200).optional(),
  price_cents: z.number().int().positive().max(100_000_000),
});

export const quoteRequest = z.object({
  lines: z
    .array(
      z
        .object({
          product_id: z.uuid().optional(),
          sku: z.string().min(1).optional(),
          quantity: z.number().int().positive().max(1000),
        })
        .refine(
          (line) => line.product_id !== undefined || line.sku !== undefined,
          'product_id or sku is required',
        ),
    )
    .min(1)
    .max(50),
});

interface ProductRow {
  id: string;
  sku: string;
  name: string;
  price_cents: number;
}

export function catalogRoutes(app: FastifyInstance, { pool, writer, config }: ServiceContext): void {
  app.get('/products', async () => {
    const { rows } = await pool.query<ProductRow>(
      'SELECT id, sku, name, price_cents FROM products ORDER BY sku',
    );
    return { products: rows };
  });

  app.post('/products', async (request: FastifyRequest, reply) => {
    requireAdmin(request, config.adminToken);
    const body = parseInput(newProduct, request.body);
    const product: ProductRow = {
      id: randomUUID(),
      sku: body.sku,
      name: body.name ?? body.sku,
      price_cents: body.price_cents,
    };
    try {
      await writer.transaction(
        { correlationId: request.correlationId, causationId: request.correlationId },
        async (tx) => {
          await tx.client.query('INSERT INTO products (id, sku, name, price_cents) VALUES ($1, $2, $3, $4)', [
            product.id,
            product.sku,
            product.name,
            product.price_cents,
          ]);
          await tx.emit({
            topic: 'catalog',
            type: 'ProductCreated',
            aggregateType: 'product',
            aggregateId: product.id,
            payload: {
              product_id: product.id,
              sku: product.sku,
              name: product.name,
              price_cents: product.price_cents,
            },
          });
        },
      );
    } catch (error) {
      if ((error as { code?: string }).code === '23505')
        throw new HttpError(409, 'E_SKU_TAKEN', `a product with sku "${product.sku}" exists`);
      throw error;
    }
    return reply.status(201).send({ product });
  });

  /** Prices every line (by product id or sku); any unknown product fails the whole quote. */
  app.post('/quote', async (request: FastifyRequest) => {
    const body = parseInput(quoteRequest, request.body);
    const ids = body.lines.flatMap((line) => (line.product_id ? [line.product_id] : []));
    const skus = body.lines.flatMap((line) => (line.sku ? [line.sku] : []));
    const { rows } = await pool.query<ProductRow>(
      'SELECT id, sku, name, price_cents FROM products WHERE id = ANY($1::uuid[]) OR sku = ANY($2::text[])',
      [ids, skus],
    );
    const lines = body.lines.map((line) => {
      const product = rows.find((row) =>
        line.product_id ? row.id === line.product_id : row.sku === line.sku,
      );
      if (!product || (line.sku !== undefined && line.product_id !== undefined && product.sku !== line.sku))
        throw new HttpError(422, 'E_UNKNOWN_PRODUCT', `unknown product ${line.product_id ?? line.sku}`);
      return {
        product_id: product.id,
        sku: product.sku,
        quantity: line.quantity,
        unit_price_cents: product.price_cents,
      };
    });
    return {
      lines,
      total_cents: lines.reduce((sum, line) => sum + line.quantity * line.unit_price_cents, 0),
    };
  });
}
