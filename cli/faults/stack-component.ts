/**
 * The fault proxy's entry for the local runtime's STACK, and the addresses the other entries use
 * so every connection goes through its link (DESIGN.md "Runtimes"):
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
import { nodeComponent, type StackContext } from '../runtime/local/component.ts';
import type { ServiceName } from '../runtime/types.ts';
import { FAULT_PROXY, KAFKA_SERVICES, type LinkTarget, STACK_LINKS, stackLinkTargets } from './links.ts';

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
  return nodeComponent({
    name: FAULT_PROXY,
    kind: 'infra',
    order: options.order ?? 0,
    ports: ['main', ...STACK_LINKS],
    script: 'bin/lab',
    args: (ctx) => [
      'infra',
      'fault-proxy',
      '--port',
      String(ctx.port(FAULT_PROXY)),
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
