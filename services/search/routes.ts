import type { FastifyInstance, FastifyRequest } from 'fastify';
import client from 'prom-client';
import { z } from 'zod';
import type { LabClock } from '../../common/clock.ts';
import { parseInput, requireAdmin } from '../kit/http.ts';
import type { ServiceContext } from '../kit/service.ts';
import type { LagMeter, LagSample } from './lag.ts';
import { searchParams, searchProducts, singleValued } from './query.ts';
import type { ProjectionRunner } from './runner.ts';

const projectionBody = z.strictObject({ paused: z.boolean() });

export interface SearchParts {
  runner: ProjectionRunner;
  lag: LagMeter;
  clock: LabClock;
}

/** Registers the lag gauges on the service's registry (SCHEMA.md "search"). */
export function registerLagMetrics(context: ServiceContext, lag: LagMeter): void {
  const registers = [context.metrics.registry];
  // One measurement per scrape, shared by both gauges (prom-client collects them at once).
  let pending: Promise<LagSample | undefined> | undefined;
  const sample = () =>
    (pending ??= lag
      .measure()
      .catch(() => undefined)
      .finally(() => {
        pending = undefined;
      }));
  new client.Gauge({
    name: 'lab_projection_lag_events',
    help: "Events on the search projection's topics not applied yet (high watermark - next offset)",
    registers,
    async collect() {
      this.set((await sample())?.events ?? -1);
    },
  });
  new client.Gauge({
    name: 'lab_projection_lag_seconds',
    help: 'Lab seconds the search projection is behind (0 when caught up)',
    registers,
    async collect() {
      this.set((await sample())?.seconds ?? -1);
    },
  });
}

/** The read API and the projection's admin hooks. */
export function searchRoutes(app: FastifyInstance, context: ServiceContext, parts: SearchParts): void {
  const { pool, config } = context;
  const { runner, lag, clock } = parts;

  app.get('/products', async (request: FastifyRequest) =>
    searchProducts(pool, parseInput(searchParams, singleValued(request.query)), clock.now()),
  );

  const projection = async () => ({ ...runner.status(), lag: await lag.measure().catch(() => lag.last) });
  app.get('/admin/projection', async (request: FastifyRequest) => {
    requireAdmin(request, config.adminToken);
    return projection();
  });
  app.post('/admin/projection', async (request: FastifyRequest) => {
    requireAdmin(request, config.adminToken);
    const { paused } = parseInput(projectionBody, request.body);
    await runner.setPaused(paused);
    request.log.warn({ paused }, paused ? 'projection paused' : 'projection resumed');
    return projection();
  });
  app.post('/admin/projection/rebuild', async (request: FastifyRequest) => {
    requireAdmin(request, config.adminToken);
    const group = await runner.rebuild();
    request.log.warn({ group }, 'projection rebuilding from offset 0');
    return projection();
  });
}
