import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { type Api, BACKEND, type Backend, type Shop, unique, withShop } from './services-stack.ts';
import { ADMIN_TOKEN, query, waitFor } from './services-support.ts';

let shop: Shop;
let api: Api;

withShop((started, client) => {
  shop = started;
  api = client;
});

async function setFaults(service: Backend, body: unknown): Promise<void> {
  const response = await fetch(`${shop.url(service)}/admin/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-lab-admin-token': ADMIN_TOKEN },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
}

async function metric(service: Backend, name: string): Promise<number> {
  const text = await (await fetch(`${shop.url(service)}/metrics`)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith(name))
    .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
}

/** CONFIRMED ⇔ one charge, units sold, one shipment; CANCELLED ⇔ no net charge, nothing held or shipped. */
async function expectConsistent(orderId: string, status: string, units: number): Promise<void> {
  const expected =
    status === 'CONFIRMED'
      ? { charges: 1, refunds: 0, sold: units, reserved: 0, shipments: 1 }
      : { charges: 0, refunds: 0, sold: 0, reserved: 0, shipments: 0 };
  await waitFor(
    `order ${orderId} settled`,
    async () => JSON.stringify(await shop.footprint(orderId)) === JSON.stringify(expected),
    {
      timeoutMs: 60_000,
    },
  ).catch(async () => expect(await shop.footprint(orderId)).toEqual(expected));
}

describe('at-least-once delivery', () => {
  it('every event published 3 times: the same end state as once, duplicates skipped and counted', async () => {
    for (const service of BACKEND) await setFaults(service, { duplicate: { probability: 1, copies: 2 } });
    try {
      const sku = unique('dup');
      const product = await api.seedProduct(sku, 500, 3);
      const rich = await api.seedCustomer(`${unique('rich')}@example.com`, 10_000);
      const poor = await api.seedCustomer(`${unique('poor')}@example.com`, 100);
      const ok = await api.placeOrder(rich.token, [{ sku, quantity: 2 }]);
      const noStock = await api.placeOrder(rich.token, [{ sku, quantity: 5 }]);
      const noFunds = await api.placeOrder(poor.token, [{ sku, quantity: 1 }]);
      expect((await api.waitTerminal(rich.token, ok.body.order.id)).order.status).toBe('CONFIRMED');
      expect((await api.waitTerminal(rich.token, noStock.body.order.id)).order.reason).toBe(
        'insufficient_stock',
      );
      expect((await api.waitTerminal(poor.token, noFunds.body.order.id)).order.reason).toBe(
        'insufficient_funds',
      );
      await expectConsistent(ok.body.order.id, 'CONFIRMED', 2);
      await expectConsistent(noStock.body.order.id, 'CANCELLED', 0);
      await expectConsistent(noFunds.body.order.id, 'CANCELLED', 0);
      expect(
        (await api.request('GET', '/api/payment/account', { token: rich.token })).body.balance_cents,
      ).toBe(9000);
      expect(
        (await api.request('GET', '/api/payment/account', { token: poor.token })).body.balance_cents,
      ).toBe(100);
      expect(await shop.availableUnits(product.id)).toBe(1);
      // The copies really arrived (deliveries = 3) and were applied once.
      await waitFor(
        'copies of StockReserved at payment',
        async () =>
          (await shop.count(
            'payment',
            `SELECT max(deliveries) AS n FROM inbox WHERE event_type = 'StockReserved'`,
          )) === 3,
      );
      expect(await shop.count('payment', 'SELECT count(*) AS n FROM inbox WHERE applied > 1')).toBe(0);
      expect(await shop.count('inventory', 'SELECT count(*) AS n FROM inbox WHERE applied > 1')).toBe(0);
      expect(
        await shop.count('order', 'SELECT count(*) AS n FROM outbox WHERE copies_published > 0'),
      ).toBeGreaterThan(0);
      expect(await metric('payment', 'lab_inbox_duplicates_skipped_total')).toBeGreaterThanOrEqual(2);
      expect(await metric('order', 'lab_relay_duplicate_copies_total')).toBeGreaterThanOrEqual(4);
    } finally {
      for (const service of BACKEND) await setFaults(service, { duplicate: null });
    }
  });

  it('relay_crash: SIGKILL between publish and mark, republished after restart, no double effect', async () => {
    const sku = unique('crash');
    await api.seedProduct(sku, 700, 2);
    const { token } = await api.seedCustomer(`${unique('kim')}@example.com`, 5000);
    await setFaults('inventory', { relay_crash: true });
    const placed = await api.placeOrder(token, [{ sku, quantity: 1 }]);
    const orderId = placed.body.order.id as string;
    const inventory = shop.procs.get('inventory')!;
    await waitFor('inventory to kill itself', async () => inventory.child.signalCode === 'SIGKILL', {
      timeoutMs: 30_000,
    });
    // Published (payment may already have charged), but never marked.
    const [row] = await query<{ published_at: Date | null }>(
      shop.db('inventory'),
      `SELECT published_at FROM outbox WHERE aggregateid = $1 AND type = 'StockReserved'`,
      [orderId],
    );
    expect(row!.published_at).toBeNull();
    shop.spawn('inventory');
    await shop.waitHealthy('inventory');
    expect((await api.waitTerminal(token, orderId)).order.status).toBe('CONFIRMED');
    await expectConsistent(orderId, 'CONFIRMED', 1);
    const [stockReserved] = await query<{ id: string }>(
      shop.db('inventory'),
      `SELECT id FROM outbox WHERE aggregateid = $1 AND type = 'StockReserved'`,
      [orderId],
    );
    await waitFor(
      'payment saw the StockReserved twice',
      async () =>
        (await shop.count('payment', 'SELECT deliveries AS n FROM inbox WHERE event_id = $1', [
          stockReserved!.id,
        ])) === 2,
    );
    expect(
      await shop.count('payment', 'SELECT applied AS n FROM inbox WHERE event_id = $1', [stockReserved!.id]),
    ).toBe(1);
    expect((await api.request('GET', '/api/payment/account', { token })).body.balance_cents).toBe(4300);
  });

  it('SIGKILL of each service once mid-load: after restarts every saga finishes consistently', async () => {
    const sku = unique('load');
    await api.seedProduct(sku, 100, 1000);
    const customers = await Promise.all(
      Array.from({ length: 5 }, (_, i) => api.seedCustomer(`${unique(`load${i}`)}@example.com`, 1_000_000)),
    );
    const placed: Array<{ id: string; token: string }> = [];
    let stop = false;
    const workload = (async () => {
      for (let i = 0; !stop; i++) {
        const customer = customers[i % customers.length]!;
        const response = await api.placeOrder(customer.token, [{ sku, quantity: 1 }]).catch(() => undefined);
        if (response?.status === 202) placed.push({ id: response.body.order.id, token: customer.token });
        await sleep(50);
      }
    })();
    const services = ['inventory', 'payment', 'order', 'shipping', 'auth', 'catalog', 'gateway'] as const;
    try {
      // One after the other, each while the previous one may still be recovering: consumer groups
      // rebalance around the dead members (session timeout) while orders keep coming.
      for (const service of services) {
        await sleep(1000);
        await shop.kill(service);
        shop.spawn(service);
      }
      await Promise.all(services.map((service) => shop.waitHealthy(service)));
      await sleep(3000); // orders placed after the restarts must finish too
    } finally {
      stop = true;
      await workload;
    }
    expect(placed.length).toBeGreaterThan(20);
    for (const order of placed) {
      const done = await api.waitTerminal(order.token, order.id, 90_000);
      await expectConsistent(order.id, done.order.status, 1);
    }
    expect(
      await shop.count(
        'payment',
        `SELECT count(*) AS n FROM (SELECT order_id FROM payments WHERE kind = 'charge' GROUP BY order_id HAVING count(*) > 1) doubled`,
      ),
    ).toBe(0);
    for (const service of BACKEND)
      await waitFor(
        `${service} outbox drained`,
        async () =>
          (await shop.count(service, 'SELECT count(*) AS n FROM outbox WHERE published_at IS NULL')) === 0,
      );
  }, 240_000);
});
