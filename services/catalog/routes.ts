import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { BakeSchedule } from '../kit/contracts.ts';
import { HttpError, parseInput, requireAdmin } from '../kit/http.ts';
import { runLabTicker } from '../kit/lab-ticker.ts';
import type { ServiceContext } from '../kit/service.ts';
import { type PricedProduct, priceTicker, quotedPrice, setSchedule } from './prices.ts';

/** A schedule as it is sent: closing after opening, the discount inside the day. */
/** A BakeSchedule as an admin sends it: shelf_life_minutes and discount_from may be left out (null). */
const scheduleInput = BakeSchedule.extend({
  shelf_life_minutes: BakeSchedule.shape.shelf_life_minutes.default(null),
  discount_from: BakeSchedule.shape.discount_from.default(null),
})
  .refine((schedule) => schedule.closes > schedule.opens, {
    error: 'closes must be after opens (a day does not cross midnight)',
  })
  .refine(
    (schedule) =>
      schedule.discount_from === null ||
      (schedule.discount_from >= schedule.opens && schedule.discount_from < schedule.closes),
    { error: 'discount_from must be between opens and closes' },
  );

/** The price ticker looks every lab minute: a window opens or closes within a lab minute of its time. */
const PRICE_TICK_LAB_MS = 60_000;

const newProduct = z.object({
  sku: z
    .string()
    .trim()
    .min(1)
    .max(64)
    .regex(/^[\w.-]+$/, 'letters, digits, _ . - only'),
  name: z.string().trim().min(1).max(200).optional(),
  price_cents: z.number().int().positive().max(100_000_000),
  schedule: scheduleInput.optional(),
});
const idParams = z.object({ id: z.uuid() });

const quoteRequest = z.object({
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

interface ProductRow extends PricedProduct {
  sku: string;
  name: string;
}

export function catalogRoutes(app: FastifyInstance, { pool, writer, config, log }: ServiceContext): void {
  const { clock } = config;
  runLabTicker(app, {
    name: 'prices',
    clock,
    everyLabMs: PRICE_TICK_LAB_MS,
    log,
    tick: priceTicker({ pool, writer }),
  });

  /** price_cents is the list price; current_price_cents what a quote gives now (lab time). */
  app.get('/products', async () => {
    const { rows } = await pool.query<ProductRow>(
      'SELECT id, sku, name, price_cents, schedule FROM products ORDER BY sku',
    );
    const labNow = clock.labMs();
    return {
      lab_time: new Date(labNow).toISOString(),
      products: rows.map((row) => ({ ...row, current_price_cents: quotedPrice(row, labNow) })),
    };
  });

  app.put('/products/:id/schedule', async (request: FastifyRequest) => {
    requireAdmin(request, config.adminToken);
    const { id } = parseInput(idParams, request.params);
    const schedule = parseInput(scheduleInput, request.body);
    const found = await writer.transaction(
      { correlationId: request.correlationId, causationId: request.correlationId },
      (tx) => setSchedule(tx, { productId: id, schedule, labNowMs: clock.labMs() }),
    );
    if (!found) throw new HttpError(404, 'E_UNKNOWN_PRODUCT', `unknown product ${id}`);
    return { product_id: id, schedule };
  });

  app.post('/products', async (request: FastifyRequest, reply) => {
    requireAdmin(request, config.adminToken);
    const body = parseInput(newProduct, request.body);
    const product: ProductRow = {
      id: randomUUID(),
      sku: body.sku,
      name: body.name ?? body.sku,
      price_cents: body.price_cents,
      schedule: body.schedule ?? null,
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
          if (body.schedule)
            await setSchedule(tx, {
              productId: product.id,
              schedule: body.schedule,
              labNowMs: clock.labMs(),
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
      'SELECT id, sku, name, price_cents, schedule FROM products WHERE id = ANY($1::uuid[]) OR sku = ANY($2::text[])',
      [ids, skus],
    );
    // One lab instant for the whole quote: every line is priced in the same minute of the day.
    const labNow = clock.labMs();
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
        unit_price_cents: quotedPrice(product, labNow),
      };
    });
    return {
      priced_at: new Date(labNow).toISOString(),
      lines,
      total_cents: lines.reduce((sum, line) => sum + line.quantity * line.unit_price_cents, 0),
    };
  });
}
