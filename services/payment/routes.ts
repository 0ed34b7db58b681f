import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseInput } from '../kit/http.ts';
import type { ServiceContext } from '../kit/service.ts';

const customerParams = z.object({ customerId: z.uuid() });
const topUp = z.object({ amount_cents: z.number().int().positive().max(100_000_000) });

/** Internal API: the gateway passes the authenticated customer's id in the path. */
export function paymentRoutes(app: FastifyInstance, { pool, writer }: ServiceContext): void {
  app.get('/accounts/:customerId', async (request: FastifyRequest) => {
    const { customerId } = parseInput(customerParams, request.params);
    const { rows } = await pool.query<{ balance_cents: number }>(
      'SELECT balance_cents FROM accounts WHERE customer_id = $1',
      [customerId],
    );
    // The account opens on UserRegistered; until that event arrives the balance is simply zero.
    return { customer_id: customerId, balance_cents: rows[0]?.balance_cents ?? 0 };
  });

  app.post('/accounts/:customerId/top-up', async (request: FastifyRequest) => {
    const { customerId } = parseInput(customerParams, request.params);
    const { amount_cents } = parseInput(topUp, request.body);
    const balance = await writer.transaction(
      { correlationId: request.correlationId, causationId: request.correlationId },
      async (tx) => {
        // Upsert: a top-up may overtake the UserRegistered event that opens the account.
        const { rows } = await tx.client.query<{ balance_cents: number }>(
          `INSERT INTO accounts (customer_id, balance_cents) VALUES ($1, $2)
         ON CONFLICT (customer_id) DO UPDATE SET balance_cents = accounts.balance_cents + $2, updated_at = now()
         RETURNING balance_cents`,
          [customerId, amount_cents],
        );
        await tx.client.query('INSERT INTO top_ups (customer_id, amount_cents) VALUES ($1, $2)', [
          customerId,
          amount_cents,
        ]);
        const balanceCents = rows[0]!.balance_cents;
        await tx.emit({
          topic: 'payments',
          type: 'AccountCredited',
          aggregateType: 'account',
          aggregateId: customerId,
          payload: { customer_id: customerId, amount_cents, balance_cents: balanceCents },
        });
        return balanceCents;
      },
    );
    return { customer_id: customerId, balance_cents: balance };
  });
}
