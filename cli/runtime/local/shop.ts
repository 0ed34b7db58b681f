/**
 * The shop in the local stack: the lab's broker, its span receiver and the seven services
 * (services/<name>/main.ts), each its own process. Every address reaches a service through env only (DATABASE_URL,
 * KAFKA_BROKERS, <SERVICE>_URL), so the fault proxy's links can be put in between without the
 * services knowing.
 */

import path from 'node:path';
import {
  DATABASE_SERVICES,
  type DatabaseServiceName,
  FAULT_PROXY,
  OTEL_COLLECTOR,
} from '../../../common/roster.ts';
import { adminToken, homeSecret } from '../home-secrets.ts';
import { type Component, labInfraComponent, nodeComponent, type StackContext } from './component.ts';
import { KAFKA_LINK_PORTS, kafkaLinkListenerArgs, linkAddress } from './fault-proxy.ts';

export function brokerAddress(ctx: StackContext): string {
  return `127.0.0.1:${ctx.port('kafka')}`;
}

/**
 * Where a service dials for `link`: the fault proxy's listener for it when the stack has the proxy
 * (docs/ARCHITECTURE.md "Links": every connection a service makes goes through a named link), else `direct`.
 */
function through(ctx: StackContext, link: string, direct: string): string {
  return ctx.has(FAULT_PROXY) ? linkAddress(ctx, link) : direct;
}

function proxiedDatabaseUrl(ctx: StackContext, service: DatabaseServiceName): string {
  const url = new URL(ctx.databaseUrl(service));
  url.host = through(ctx, `${service}.db`, url.host);
  return url.toString();
}

export const kafkaComponent: Component = labInfraComponent({
  name: 'kafka',
  order: 1,
  // One extra listener per `<service>.kafka` link, advertising that link's address.
  ports: ['main', ...KAFKA_LINK_PORTS],
  args: (ctx) => [
    '--data-dir',
    ctx.dataDir('kafka'),
    '--partitions',
    '3',
    ...(ctx.has(FAULT_PROXY) ? kafkaLinkListenerArgs(ctx) : []),
  ],
  health: { tcp: 'main' },
  endpoints: (ctx) => ({ brokerBootstrap: brokerAddress(ctx) }),
});

/**
 * The services' tracing settings (services/kit/tracing.ts): the user's own OTEL_* variables and
 * LAB_TRACING, passed on as they are (a service gets no other variable of `lab`'s environment), and
 * the stack's span receiver as the endpoint unless the user names a collector of their own. The
 * receiver is sent OTLP/JSON: it parses that with V8's own JSON parser, where protobuf would be
 * decoded field by field in JavaScript, on the same cores as the shop.
 */
export function tracingEnv(ctx: StackContext, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const passed: Record<string, string> = {};
  for (const [name, value] of Object.entries(env))
    if ((name.startsWith('OTEL_') || name === 'LAB_TRACING') && value !== undefined) passed[name] = value;
  const own = passed.OTEL_EXPORTER_OTLP_ENDPOINT || passed.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (!own && ctx.has(OTEL_COLLECTOR)) {
    passed.OTEL_EXPORTER_OTLP_ENDPOINT = `http://127.0.0.1:${ctx.port(OTEL_COLLECTOR)}`;
    if (!passed.OTEL_EXPORTER_OTLP_PROTOCOL) passed.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ??= 'http/json';
  }
  return passed;
}

function commonEnv(ctx: StackContext, service: string): Record<string, string> {
  return {
    ...tracingEnv(ctx),
    PORT: String(ctx.port(service)),
    LAB_WITHOUT: ctx.without.join(','),
    LAB_KIT: ctx.kit,
    ...ctx.clock.env(),
    LAB_ADMIN_TOKEN: adminToken(ctx.home),
    JWT_SECRET: homeSecret(ctx.home, 'jwt-secret'),
    LOG_LEVEL: process.env.LAB_LOG_LEVEL || 'info',
    // V8 sizes its heap from the machine's memory and collects lazily; each service is meant to stay
    // under 150 MB RSS, so cap the heap (the services need ~20-60 MB) and glibc's per-thread arenas.
    // The young generation is not cut to the bone: a 2 MB semi-space made busy services scavenge
    // constantly (16 MB saved ~10% CPU per saga but took RSS to 142 MB; 8 MB is the middle).
    NODE_OPTIONS: '--max-old-space-size=96 --max-semi-space-size=8',
    MALLOC_ARENA_MAX: '2',
  };
}

function backendComponent(service: DatabaseServiceName): Component {
  return nodeComponent({
    name: service,
    kind: 'service',
    order: 2,
    ports: ['main'],
    script: `services/${service}/main.ts`,
    env: (ctx) => ({
      ...commonEnv(ctx, service),
      DATABASE_URL: proxiedDatabaseUrl(ctx, service),
      KAFKA_BROKERS: through(ctx, `${service}.kafka`, brokerAddress(ctx)),
      // scrypt takes 16 MB per hash; glibc's adaptive mmap threshold would soon serve those from
      // the heap and keep them after free. A fixed threshold maps and unmaps each one.
      ...(service === 'auth' ? { MALLOC_MMAP_THRESHOLD_: String(128 * 1024) } : {}),
    }),
    health: { http: '/health' },
  });
}

export const gatewayComponent: Component = nodeComponent({
  name: 'gateway',
  kind: 'service',
  order: 3,
  ports: ['main'],
  script: 'services/gateway/main.ts',
  env: (ctx) => ({
    ...commonEnv(ctx, 'gateway'),
    ...Object.fromEntries(
      DATABASE_SERVICES.map((service) => [
        `${service.toUpperCase()}_URL`,
        `http://${through(ctx, `gateway.${service}`, `127.0.0.1:${ctx.port(service)}`)}`,
      ]),
    ),
  }),
  health: { http: '/health' },
  endpoints: (ctx) => ({
    gatewayUrl: `http://127.0.0.1:${ctx.port('gateway')}`,
    adminToken: adminToken(ctx.home),
    services: { gateway: `http://127.0.0.1:${ctx.port('gateway')}` },
  }),
});

/**
 * The span receiver: OTLP/HTTP on loopback, appending every span the services export to
 * `<LAB_HOME>/spans.jsonl` (a run keeps its slice as traces.jsonl, cli/chaos/rundir.ts).
 */
const otelCollectorComponent: Component = nodeComponent({
  name: OTEL_COLLECTOR,
  kind: 'infra',
  order: 1,
  ports: ['main'],
  script: 'infra/otel-collector/main.ts',
  // main.ts binds 127.0.0.1 unless told otherwise.
  args: (ctx) => ['--port', String(ctx.port(OTEL_COLLECTOR)), '--out', path.join(ctx.home, 'spans.jsonl')],
  health: { tcp: 'main' },
});

export const SHOP_COMPONENTS: readonly Component[] = [
  otelCollectorComponent,
  kafkaComponent,
  ...DATABASE_SERVICES.map(backendComponent),
  gatewayComponent,
];
