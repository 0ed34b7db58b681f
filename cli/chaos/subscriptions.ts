/**
 * Which consumer group handles which event types on which topic, read from the services' own
 * handler maps: the maps their consumers subscribe with (a topic per key) and dispatch by (an
 * event type per key; any other type is committed without effect and leaves no inbox row). The
 * checks that follow an event to its consumers (no_lost_event, dlq_accounted) read this, so they
 * cannot drift from what the services do. The pattern switches only change what a handler does,
 * never which events it takes, so any switch values give the same map.
 */

import { LabClock } from '../../common/clock.ts';
import type { Topic } from '../../common/roster.ts';
import { inventoryHandlers } from '../../services/inventory/handlers.ts';
import type { HandlerMap } from '../../services/kit/consumer.ts';
import type { Metrics } from '../../services/kit/metrics.ts';
import { orderHandlers } from '../../services/order/handlers.ts';
import { paymentHandlers } from '../../services/payment/handlers.ts';
import { projectionHandlers } from '../../services/search/projection.ts';
import { shippingHandlers } from '../../services/shipping/handlers.ts';

/** consumer group (= its service) → topic → the event types it applies. */
export type Subscriptions = Record<string, Partial<Record<Topic, string[]>>>;

function typesOf(handlers: HandlerMap): Partial<Record<Topic, string[]>> {
  return Object.fromEntries(
    Object.entries(handlers).map(([topic, byType]) => [topic, Object.keys(byType ?? {}).sort()]),
  );
}

let cached: Subscriptions | undefined;

export function subscriptions(): Subscriptions {
  // The handlers only touch metrics when an event arrives; building the map applies none.
  const metrics = {} as Metrics;
  cached ??= {
    inventory: typesOf(
      inventoryHandlers({ compensation: true, shelf: { clock: LabClock.real(), staleGuard: true } }),
    ),
    order: typesOf(orderHandlers(metrics)),
    payment: typesOf(paymentHandlers({ compensation: true, guarded: true })),
    shipping: typesOf(shippingHandlers()),
    search: typesOf(projectionHandlers()),
  };
  return cached;
}

/** The consumer groups that apply events of this type on this topic. */
export function consumersOf(topic: string, type: string, from: Subscriptions = subscriptions()): string[] {
  return Object.entries(from)
    .filter(([, topics]) => topics[topic as Topic]?.includes(type))
    .map(([consumer]) => consumer);
}

/** The consumer groups subscribed to a topic, whatever types they apply. */
export function subscribersOf(topic: string, from: Subscriptions = subscriptions()): string[] {
  return Object.entries(from)
    .filter(([, topics]) => topics[topic as Topic] !== undefined)
    .map(([consumer]) => consumer);
}
