/**
 * The stack's roster: which services, infrastructure pieces, topics, pattern switches and
 * fault-proxy links exist. The CLI, the runtimes, infra and the services all name these; they
 * are defined once here so a new service or link is added in one place.
 */

/** Services that own a database (the gateway owns none), hence an outbox and a relay. */
export const DATABASE_SERVICES = [
  'auth',
  'catalog',
  'inventory',
  'order',
  'payment',
  'shipping',
  'search',
] as const;
export type DatabaseServiceName = (typeof DATABASE_SERVICES)[number];

/** Every service of the stack: the gateway, then those with a database. */
export const SERVICES = ['gateway', ...DATABASE_SERVICES] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Services that talk to the broker: all but the gateway, which only routes HTTP. */
export const KAFKA_SERVICES = SERVICES.filter((service) => service !== 'gateway');
/** Services behind the gateway. */
export const ROUTED_SERVICES = SERVICES.filter((service) => service !== 'gateway');

/** Infrastructure pieces a runtime runs besides the services. */
export const INFRA = ['postgres', 'kafka', 'fault-proxy'] as const;

/** The lab's span receiver (infra/otel-collector) in the local stack. */
export const OTEL_COLLECTOR = 'otel-collector';

/** The fault proxy's name in the stack. */
export const FAULT_PROXY = 'fault-proxy';

/**
 * `--without` pattern switches (docs/ARCHITECTURE.md "The patterns and the two kits"). `stale_guard`
 * is the bakery's freshness rule: without it inventory reserves units past their sell-by time.
 */
export const PATTERN_SWITCHES = ['outbox', 'inbox', 'compensation', 'stale_guard'] as const;
export type PatternSwitch = (typeof PATTERN_SWITCHES)[number];

/**
 * Which implementation of the patterns the services run (`--kit`, `LAB_KIT`): `reference`, the
 * short files of services/kit a learner reads, or `fast`, services/kit/fast.
 */
export const KITS = ['reference', 'fast'] as const;
export type Kit = (typeof KITS)[number];
export const DEFAULT_KIT: Kit = 'reference';

/** The event topics (docs/ARCHITECTURE.md "The shop"); dead letters go to `<topic>.dlq`. */
export const TOPICS = ['orders', 'inventory', 'payments', 'shipping', 'users', 'catalog'] as const;
export type Topic = (typeof TOPICS)[number];

/** Every link of the stack: `<service>.db`, `<service>.kafka`, `gateway.<service>`. */
export const LINKS: readonly string[] = [
  ...DATABASE_SERVICES.map((service) => `${service}.db`),
  ...KAFKA_SERVICES.map((service) => `${service}.kafka`),
  ...ROUTED_SERVICES.map((service) => `gateway.${service}`),
];

/** One line on what a link carries, for listings. */
export function describeLink(link: string): string {
  const [left, right] = link.split('.');
  if (right === 'db') return `${left} → its database`;
  if (right === 'kafka') return `${left} → the broker`;
  if (left === 'gateway') return `gateway → ${right}`;
  return '';
}
