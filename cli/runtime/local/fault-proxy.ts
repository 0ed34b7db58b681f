/**
 * The fault proxy's entry for the local runtime's STACK, and the addresses the other entries use
 * so every connection goes through its link (docs/ARCHITECTURE.md "Runtimes"):
 *
 *   STACK = [postgres, faultProxyComponent(), kafka (with kafkaLinkListenerArgs), ...services]
 *
 * Ports are allocated before anything starts, so the links have fixed listen ports: prepare()
 * writes them to a file the fault proxy populates from at every start (`lab up`, `lab restart
 * fault-proxy`), before its API answers and before the upstreams are up (a link dials its
 * upstream per connection). A populate with the same file later keeps links, toxics and
 * connections.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  DATABASE_SERVICES,
  FAULT_PROXY,
  KAFKA_SERVICES,
  LINKS,
  ROUTED_SERVICES,
  type ServiceName,
} from '../../../common/roster.ts';
import { labInfraComponent, type StackContext } from './component.ts';

/** Port names the kafka entry allocates: one broker listener per `<service>.kafka` link. */
export const KAFKA_LINK_PORTS: readonly string[] = KAFKA_SERVICES.map((service) => `${service}.kafka`);

export function faultProxyUrl(ctx: StackContext): string {
  return `http://127.0.0.1:${ctx.port(FAULT_PROXY)}`;
}

/** "127.0.0.1:<port>" where a link listens: what a service connects to instead of its target. */
export function linkAddress(ctx: StackContext, link: string): string {
  return `127.0.0.1:${ctx.port(FAULT_PROXY, link)}`;
}

/**
 * The broker's `--listener` flags: one listener per `<service>.kafka` link (on kafka's port of the
 * same name), advertising the link's address, so clients that bootstrap through the link get the
 * link back in metadata and never reach the broker around it.
 */
export function kafkaLinkListenerArgs(ctx: StackContext): string[] {
  return KAFKA_SERVICES.flatMap((service) => {
    const link = `${service}.kafka`;
    return ['--listener', `127.0.0.1:${ctx.port('kafka', link)}=${linkAddress(ctx, link)}`];
  });
}

/** Where prepare() writes the links, for `--config`: a restarted fault proxy gets them back. */
export function linksConfigFile(ctx: StackContext): string {
  return path.join(ctx.dataDir(FAULT_PROXY), 'links.json');
}

/** The stack's links, from the allocated ports; links to pieces this checkout lacks are left out. */
export function stackLinks(ctx: StackContext): LinkTarget[] {
  return stackLinkTargets({
    link: (link) => ctx.port(FAULT_PROXY, link),
    postgres: ctx.port('postgres'),
    kafkaListener: (service) => ctx.port('kafka', `${service}.kafka`),
    service: (service: ServiceName) => ctx.port(service),
  }).filter((target) => {
    const [left, right] = target.name.split('.');
    if (right === 'db') return ctx.has('postgres');
    if (right === 'kafka') return ctx.has('kafka');
    return left === 'gateway' && ctx.has(right ?? '');
  });
}

export function faultProxyComponent(options: { order?: number; seed?: number } = {}) {
  return labInfraComponent({
    name: FAULT_PROXY,
    order: options.order ?? 0,
    ports: ['main', ...LINKS],
    args: (ctx) => [
      '--config',
      linksConfigFile(ctx),
      ...(options.seed === undefined ? [] : ['--seed', String(options.seed)]),
    ],
    // The API answers only once every link listens, so healthy means routed.
    health: { http: '/version' },
    prepare: async (ctx) => {
      writeFileSync(linksConfigFile(ctx), `${JSON.stringify(stackLinks(ctx), null, 2)}\n`);
    },
    endpoints: (ctx) => ({ faultProxyUrl: faultProxyUrl(ctx) }),
  });
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
