/**
 * The stack's fault-proxy links (DESIGN.md "Runtimes"), and turning a typed link name into a known
 * one (or a clear error with the closest). Finding the running stack's fault proxy is proxy-url.ts:
 * the local runtime's stack imports this file, so it must not import the runtime back.
 */
import { closest } from 'fastest-levenshtein';
import { badInput } from '../errors.ts';
import { DATABASE_SERVICES, SERVICES, type ServiceName } from '../runtime/types.ts';

/** Services that talk to the broker: all but the gateway, which only routes HTTP. */
export const KAFKA_SERVICES = SERVICES.filter((service) => service !== 'gateway');
/** Port names the kafka entry allocates: one broker listener per `<service>.kafka` link. */
export const KAFKA_LINK_PORTS: readonly string[] = KAFKA_SERVICES.map((service) => `${service}.kafka`);
/** The fault proxy's name in the stack. */
export const FAULT_PROXY = 'fault-proxy';
/** Services behind the gateway. */
export const ROUTED_SERVICES = SERVICES.filter((service) => service !== 'gateway');

/** Every link of the stack: `<service>.db`, `<service>.kafka`, `gateway.<service>`. */
export const STACK_LINKS: readonly string[] = [
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

/**
 * `typed` if the fault proxy has that link; otherwise a bad-input error naming the closest link
 * (among the proxy's, or the stack's when the proxy has none).
 */
export function resolveLink(typed: string, available: readonly string[]): string {
  if (available.includes(typed)) return typed;
  const candidates = available.length > 0 ? available : STACK_LINKS;
  const nearest = closest(typed, [...candidates]);
  const known = STACK_LINKS.includes(typed);
  throw badInput(
    'E_UNKNOWN_LINK',
    known ? `the fault proxy has no link '${typed}' (is the stack up?).` : `unknown link '${typed}'.`,
    `The closest is '${nearest}'. Links: ${candidates.join(', ')}.`,
  );
}

/** Where a link listens and what it forwards to: one entry of a Toxiproxy populate body. */
export interface LinkTarget {
  name: string;
  /** "127.0.0.1:<port>": fixed ports keep populate idempotent (port 0 would replace the link). */
  listen: string;
  upstream: string;
}

/**
 * The populate body for the whole stack, from the ports the runtime allocated. Each service's
 * database link goes to PostgreSQL, each kafka link to the broker listener that advertises that
 * link's own listen address, each gateway link to the service's HTTP port.
 */
export function stackLinkTargets(ports: {
  /** The fault proxy's listen port for a link. */
  link: (link: string) => number;
  postgres: number;
  /** The broker listener dedicated to `<service>.kafka` (advertising the link's listen address). */
  kafkaListener: (service: ServiceName) => number;
  service: (service: ServiceName) => number;
}): LinkTarget[] {
  const target = (name: string, upstreamPort: number): LinkTarget => ({
    name,
    listen: `127.0.0.1:${ports.link(name)}`,
    upstream: `127.0.0.1:${upstreamPort}`,
  });
  return [
    ...DATABASE_SERVICES.map((service) => target(`${service}.db`, ports.postgres)),
    ...KAFKA_SERVICES.map((service) => target(`${service}.kafka`, ports.kafkaListener(service))),
    ...ROUTED_SERVICES.map((service) => target(`gateway.${service}`, ports.service(service))),
  ];
}
