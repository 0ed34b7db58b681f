import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { OrderLine } from '../kit/contracts.ts';
import { HttpError, parseInput } from '../kit/http.ts';
import type { EventWriter } from '../kit/outbox.ts';
import type { ServiceContext } from '../kit/service.ts';
import { inSpan, requestTraceparent } from '../kit/tracing.ts';
import { finishOrder, lockOrder, type OrderRow, type PlaceOrder } from './saga.ts';

/** The gateway has priced the lines (catalog quote) and authenticated the customer. */
const placeOrderBody = z.object({ customer_id: z.uuid(), lines: z.array(OrderLine).min(1).max(50) });
const orderParams = z.object({ id: z.uuid() });
const customerQuery = z.object({ customer_id: z.uuid() });

function publicOrder(order: OrderRow, lines: unknown[]) {
  return {
    id: order.id,
    customer_id: order.customer_id,
    status: order.status,
    reason: order.reason,
    total_cents: order.total_cents,
    lines,
    created_at: order.created_at,
    completed_at: order.completed_at,
  };
}

export function orderRoutes<W extends EventWriter>(
  app: FastifyInstance,
  { pool, writer, metrics }: Omit<ServiceContext, 'writer'> & { writer: W },
  place: PlaceOrder<W>,
): void {
  app.post('/orders', async (request: FastifyRequest, reply) => {
    const body = parseInput(placeOrderBody, request.body);
    const orderId = randomUUID();
    const total = body.lines.reduce((sum, line) => sum + line.quantity * line.unit_price_cents, 0);
    // The order id is the saga's correlation id: every event of this order carries it.
    const order = await inSpan(
      'place order',
      { parent: requestTraceparent(request), attributes: { 'lab.order_id': orderId } },
      (traceparent) =>
        place(
          writer,
          { correlationId: orderId, causationId: request.correlationId, traceparent },
          { id: orderId, customerId: body.customer_id, totalCents: total, lines: body.lines },
        ),
    );
    metrics.sagaOrders.inc({ status: 'PENDING' });
    return reply.status(202).send({ order: publicOrder(order, body.lines) });
  });

  app.get('/orders/:id', async (request: FastifyRequest) => {
    const { id } = parseInput(orderParams, request.params);
    const { customer_id } = parseInput(customerQuery, request.query);
    const { rows } = await pool.query<OrderRow>('SELECT * FROM orders WHERE id = $1 AND customer_id = $2', [
      id,
      customer_id,
    ]);
    const order = rows[0];
    if (!order) throw new HttpError(404, 'E_NOT_FOUND', `no order ${id}`);
    const [lines, history] = await Promise.all([
      pool.query(
        'SELECT product_id, sku, quantity, unit_price_cents FROM order_lines WHERE order_id = $1 ORDER BY line_no',
        [id],
      ),
      pool.query(
        `SELECT event_type, topic, producer, occurred_at, recorded_at, payload FROM order_history
         WHERE order_id = $1 ORDER BY occurred_at, id`,
        [id],
      ),
    ]);
    return { order: publicOrder(order, lines.rows), history: history.rows };
  });

  app.get('/orders', async (request: FastifyRequest) => {
    const { customer_id } = parseInput(customerQuery, request.query);
    const { rows } = await pool.query<OrderRow>(
      'SELECT * FROM orders WHERE customer_id = $1 ORDER BY created_at DESC LIMIT 100',
      [customer_id],
    );
    return { orders: rows.map((order) => publicOrder(order, [])) };
  });

  app.post('/orders/:id/cancel', async (request: FastifyRequest, reply) => {
    const { id } = parseInput(orderParams, request.params);
    const { customer_id } = parseInput(customerQuery, request.body ?? {});
    const cancelled = { parent: requestTraceparent(request), attributes: { 'lab.order_id': id } };
    await inSpan('cancel order', cancelled, (traceparent) =>
      writer.transaction(
        { correlationId: id, causationId: request.correlationId, traceparent },
        async (tx) => {
          const order = await lockOrder(tx.client, id);
          if (!order || order.customer_id !== customer_id)
            throw new HttpError(404, 'E_NOT_FOUND', `no order ${id}`);
          if (order.status !== 'PENDING')
            throw new HttpError(409, 'E_ORDER_FINISHED', `order ${id} is already ${order.status}`);
          await finishOrder(tx, id, { status: 'CANCELLED', reason: 'cancelled_by_customer' });
        },
      ),
    );
    metrics.sagaOrders.inc({ status: 'CANCELLED' });
    return reply.status(202).send({ order_id: id, status: 'CANCELLED' });
  });
}
