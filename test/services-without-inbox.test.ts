import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { type Api, type Shop, withShop } from './services-stack.ts';
import { ADMIN_TOKEN, query, waitFor } from './services-support.ts';

let shop: Shop;
let api: Api;

withShop(
  (started, client) => {
    shop = started;
    api = client;
  },
  { without: ['inbox'] },
);

describe('--without inbox', () => {
  it('with duplicated deliveries, double charges really happen', async () => {
    const sku = `dbl-${randomUUID().slice(0, 8)}`;
    await api.seedProduct(sku, 1000, 5);
    const { token } = await api.seedCustomer(`dbl-${randomUUID().slice(0, 8)}@example.com`, 10_000);
    // inventory's relay publishes every event three times: payment sees StockReserved thrice.
    const response = await fetch(`${shop.url('inventory')}/admin/faults`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-lab-admin-token': ADMIN_TOKEN },
      body: JSON.stringify({ duplicate: { probability: 1, copies: 2 } }),
    });
    expect(response.status).toBe(200);
    const placed = await api.placeOrder(token, [{ sku, quantity: 1 }]);
    const orderId = placed.body.order.id as string;
    expect((await api.waitTerminal(token, orderId)).order.status).toBe('CONFIRMED');
    const charges = await waitFor('the duplicate charges', async () => {
      const rows = await query<{ n: number }>(
        shop.db('payment'),
        `SELECT count(*)::int AS n FROM payments WHERE order_id = $1 AND kind = 'charge'`,
        [orderId],
      );
      return rows[0]!.n === 3 ? 3 : undefined;
    });
    expect(charges).toBe(3);
    expect((await api.request('GET', '/api/payment/account', { token })).body.balance_cents).toBe(7000);
    // The inbox table still tells the story: delivered three times, applied three times.
    const [row] = await query<{ deliveries: number; applied: number }>(
      shop.db('payment'),
      `SELECT deliveries, applied FROM inbox WHERE event_type = 'StockReserved'`,
    );
    expect(row).toEqual({ deliveries: 3, applied: 3 });
  });
});
