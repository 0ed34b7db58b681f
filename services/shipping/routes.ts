import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HttpError, parseInput } from '../kit/http.ts';
import type { ServiceContext } from '../kit/service.ts';

const params = z.object({ orderId: z.uuid() });

export function shippingRoutes(app: FastifyInstance, { pool }: ServiceContext): void {
  app.get('/shipments/:orderId', async (request: FastifyRequest) => {
    const { orderId } = parseInput(params, request.params);
    const { rows } = await pool.query(
      'SELECT id, order_id, status, created_at FROM shipments WHERE order_id = $1',
      [orderId],
    );
    if (!rows[0]) throw new HttpError(404, 'E_NOT_FOUND', `no shipment for order ${orderId}`);
    return { shipment: rows[0] };
  });
}
