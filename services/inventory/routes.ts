import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseInput, requireAdmin } from '../kit/http.ts';
import { runLabTicker } from '../kit/lab-ticker.ts';
import type { ServiceContext } from '../kit/service.ts';
import { ovenTick } from './oven.ts';

/** The oven looks at the clock every lab minute (the finest schedule bakes once a minute). */
const OVEN_TICK_LAB_MS = 60_000;

const newStock = z
  .object({
    product_id: z.uuid(),
    units: z.number().int().positive().max(100_000),
    produced_at: z.iso.datetime({ offset: true }).optional(),
    expires_at: z.iso.datetime({ offset: true }).nullable().optional(),
  })
  .refine(
    (body) => !body.expires_at || !body.produced_at || body.expires_at > body.produced_at,
    'expires_at must be after produced_at',
  );

export function inventoryRoutes(app: FastifyInstance, { pool, writer, config, log }: ServiceContext): void {
  const { clock } = config;
  runLabTicker(app, {
    name: 'oven',
    clock,
    everyLabMs: OVEN_TICK_LAB_MS,
    log,
    tick: ovenTick({ pool, writer }),
  });

  app.post('/stock', async (request: FastifyRequest, reply) => {
    requireAdmin(request, config.adminToken);
    const body = parseInput(newStock, request.body);
    const first = await writer.transaction(
      { correlationId: request.correlationId, causationId: request.correlationId },
      async (tx) => {
        const { rows } = await tx.client.query<{ first: number }>(
          `INSERT INTO stock_units (product_id, produced_at, expires_at)
         SELECT $1, coalesce($3::timestamptz, $5), $4::timestamptz FROM generate_series(1, $2)
         RETURNING id AS first`,
          [body.product_id, body.units, body.produced_at ?? null, body.expires_at ?? null, clock.now()],
        );
        const unitIds = rows.map((row) => Number(row.first)).sort((a, b) => a - b);
        const firstUnit = unitIds[0] as number;
        await tx.emit({
          topic: 'inventory',
          type: 'StockAdded',
          aggregateType: 'stock',
          aggregateId: body.product_id,
          payload: {
            product_id: body.product_id,
            units: body.units,
            first_unit_id: firstUnit,
            unit_ids: unitIds,
          },
        });
        return firstUnit;
      },
    );
    return reply.status(201).send({ product_id: body.product_id, units: body.units, first_unit_id: first });
  });

  /** Counts per product at the lab instant of the request; stale = available but past expiry (not yet swept). */
  app.get('/stock', async () => {
    const { rows } = await pool.query(
      `SELECT product_id,
              count(*) FILTER (WHERE status = 'available' AND (expires_at IS NULL OR expires_at > $1))::int AS available,
              count(*) FILTER (WHERE status = 'reserved')::int AS reserved,
              count(*) FILTER (WHERE status = 'sold')::int AS sold,
              count(*) FILTER (WHERE status = 'available' AND expires_at <= $1)::int AS stale,
              count(*) FILTER (WHERE status = 'expired')::int AS expired,
              count(*) FILTER (WHERE status = 'discarded')::int AS discarded
       FROM stock_units GROUP BY product_id ORDER BY product_id`,
      [clock.now()],
    );
    return { lab_time: clock.now().toISOString(), stock: rows };
  });
}
