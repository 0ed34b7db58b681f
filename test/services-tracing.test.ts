/**
 * One order's span tree on a real shop (seven processes, PostgreSQL, the lab's broker) exporting
 * to the lab's span receiver: one trace from the gateway's POST to shipping, every span's parent in
 * it, the outbox and the broker crossed by parent links (handler → publish → the span that wrote the
 * row), and the copies of the relay's duplicate hook skipped by the inboxes as spans of their own.
 * Both kits in one shop (a service's kit is its own choice, the contract is the same): order and
 * payment run the fast kit, the others the reference kit, so the trace crosses both kits' relays and
 * consumers, and each kit's inbox skips a copy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredSpan } from '../infra/otel-collector/span.ts';
import { Api, BACKEND, Shop, type ShopService } from './services-stack.ts';
import { ADMIN_TOKEN, waitFor } from './services-support.ts';
import { collectSpans, type SpanCollector } from './span-collector.ts';

const FAST_KIT: readonly ShopService[] = ['order', 'payment'];

/** Walks from `span` up to the root: the names of its ancestors (itself first). */
function ancestry(span: StoredSpan, byId: Map<string, StoredSpan>): string[] {
  const names: string[] = [];
  for (
    let at: StoredSpan | undefined = span;
    at;
    at = at.parentSpanId ? byId.get(at.parentSpanId) : undefined
  )
    names.push(`${at.service}: ${at.name}`);
  return names;
}

describe('one order, one trace', () => {
  let shop: Shop;
  let api: Api;
  let receiver: SpanCollector;
  let spans: StoredSpan[];

  beforeAll(async () => {
    receiver = await collectSpans();
    spans = receiver.spans;
    const tracing = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_BSP_SCHEDULE_DELAY: '100' };
    const services: ShopService[] = [...BACKEND, 'gateway'];
    const env = Object.fromEntries(
      services.map((service) => [
        service,
        { ...tracing, LAB_KIT: FAST_KIT.includes(service) ? 'fast' : 'reference' },
      ]),
    ) as Partial<Record<ShopService, Record<string, string>>>;
    shop = await Shop.start({ env });
    api = new Api(shop.gateway);
  }, 180_000);

  afterAll(async () => {
    await shop?.stop();
    await receiver?.close();
  });

  it('runs from the gateway to shipping, across the outbox and the broker, duplicates included', async () => {
    const product = await api.seedProduct('traced', 250, 5);
    const customer = await api.seedCustomer('traced@example.com', 10_000);
    // Every event the relays of order (fast kit) and inventory (reference kit) publish goes out
    // twice: inventory and shipping (reference) and payment (fast) get copies.
    for (const service of ['order', 'inventory'] as const) {
      const hook = await fetch(`${shop.url(service)}/admin/faults`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-lab-admin-token': ADMIN_TOKEN },
        body: JSON.stringify({ duplicate: { probability: 1, copies: 1, seed: 1 } }),
      });
      expect(hook.status).toBe(200);
    }
    const placed = await api.placeOrder(customer.token, [{ product_id: product.id, quantity: 2 }]);
    const orderId: string = placed.body.order.id;
    expect((await api.waitTerminal(customer.token, orderId)).order.status).toBe('CONFIRMED');

    const ofOrder = () => spans.filter((span) => span.attributes?.['lab.order_id'] === orderId);
    await waitFor(
      'the spans of the whole saga',
      async () => {
        const names = ofOrder().map((span) => `${span.service}: ${span.name}`);
        return (
          names.includes('shipping: handle OrderConfirmed') &&
          names.includes('inventory: handle OrderConfirmed') &&
          names.includes('inventory: duplicate skipped OrderPlaced') &&
          names.includes('payment: duplicate skipped StockReserved') &&
          names.includes('shipping: duplicate skipped OrderConfirmed')
        );
      },
      { timeoutMs: 30_000, intervalMs: 100 },
    );
    // The last hops' spans may still be in an exporter's batch: wait until none has come for 600 ms.
    let seen = -1;
    await waitFor(
      'the exporters to go quiet',
      async () => {
        const quiet = spans.length === seen;
        seen = spans.length;
        return quiet;
      },
      { timeoutMs: 30_000, intervalMs: 600 },
    );

    const root = ofOrder().find((span) => span.name === 'POST /api/order/orders');
    expect(root?.service).toBe('gateway');
    expect(root?.parentSpanId).toBeUndefined();
    const traceId = root!.traceId;
    expect(new Set(ofOrder().map((span) => span.traceId))).toEqual(new Set([traceId]));
    const tree = spans.filter((span) => span.traceId === traceId);
    const byId = new Map(tree.map((span) => [span.spanId, span]));
    // Connected: every span but the root hangs from a span of the same trace.
    expect(tree.filter((span) => span !== root && !byId.has(span.parentSpanId ?? ''))).toEqual([]);
    const services = new Set(tree.map((span) => span.service));
    // The saga's six processes; search, reading inventory's events of the order, joins the same
    // trace when its spans have been exported by now.
    expect([...services].filter((service) => service !== 'search').sort()).toEqual([
      'catalog',
      'gateway',
      'inventory',
      'order',
      'payment',
      'shipping',
    ]);

    const shipped = tree.find(
      (span) => span.service === 'shipping' && span.name === 'handle OrderConfirmed',
    )!;
    expect(ancestry(shipped, byId)).toEqual([
      'shipping: handle OrderConfirmed',
      'order: publish OrderConfirmed',
      'order: handle PaymentCaptured',
      'payment: publish PaymentCaptured',
      'payment: handle StockReserved',
      'inventory: publish StockReserved',
      'inventory: handle OrderPlaced',
      'order: publish OrderPlaced',
      'order: place order',
      'order: POST /orders',
      'gateway: POST order',
      'gateway: POST /api/order/orders',
    ]);
    expect(shipped.kind).toBe(5);
    expect(shipped.attributes).toMatchObject({
      'messaging.system': 'kafka',
      'messaging.destination.name': 'orders',
      'messaging.consumer.group.name': 'shipping',
      'lab.event_type': 'OrderConfirmed',
    });
    // A consumer's span hangs from the publish of the very message it handled.
    const publish = byId.get(shipped.parentSpanId!)!;
    expect(publish.kind).toBe(4);
    expect(publish.attributes?.['messaging.message.id']).toBe(shipped.attributes?.['messaging.message.id']);

    // The duplicate hook's copy: its own publish span, and the inbox's skip hanging from it.
    for (const [consumer, type] of [
      ['inventory', 'OrderPlaced'],
      ['payment', 'StockReserved'],
    ] as const) {
      const skipped = tree.find(
        (span) => span.service === consumer && span.name === `duplicate skipped ${type}`,
      )!;
      expect(skipped).toMatchObject({ service: consumer, attributes: { 'lab.duplicate': true } });
      const applied = tree.find((span) => span.service === consumer && span.name === `handle ${type}`)!;
      expect(applied.attributes?.['lab.duplicate']).toBeUndefined();
      expect(skipped.parentSpanId).not.toBe(applied.parentSpanId);
      for (const delivery of [skipped, applied]) {
        const parent = byId.get(delivery.parentSpanId!)!;
        expect(parent.name).toBe(`publish ${type}`);
        expect(parent.attributes?.['messaging.message.id']).toBe(
          applied.attributes?.['messaging.message.id'],
        );
      }
      const publishes = tree.filter((span) => span.name === `publish ${type}`);
      expect(publishes.filter((span) => span.attributes?.['lab.duplicate_copy'] === true)).toHaveLength(1);
    }
    process.stdout.write(`one order: ${tree.length} spans in ${services.size} processes\n`);
  }, 120_000);
});
