/** The part of a kit's wiring that is the same in both kits (service.ts, fast/kit.ts). */
import type { OutgoingEvent } from './events.ts';
import type { KitBase } from './service.ts';
import { tracedPublish } from './tracing.ts';

/** What a kit's writer, relay and consumer take from the service, whichever the kit. */
export function kitOptions(base: KitBase) {
  const { definition, config, log, bus, metrics, faults } = base;
  // The relay's and the dual write's sends: a publish span per message (kit/tracing.ts).
  const publish = tracedPublish((events: OutgoingEvent[]) => bus.publish(events));
  return {
    writer: {
      producer: definition.name,
      useOutbox: !config.without.has('outbox'),
      publishDirect: publish,
      log,
    },
    relay: { listenUrl: config.databaseUrl!, publish, faults, metrics, log },
    consumer: {
      group: definition.name,
      bus,
      dedup: !config.without.has('inbox'),
      maxAttempts: config.consumerMaxAttempts,
      metrics,
      log,
    },
  };
}
