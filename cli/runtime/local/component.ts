/**
 * What one entry of the local stack is (Component), what it can know while the stack starts
 * (StackContext), and nodeComponent() for the common case: a Node script of this repository.
 *
 * Its own module, apart from STACK: the entries (shop.ts, cli/faults/stack-component.ts) build on
 * it, and stack.ts assembles them, so nothing imports back the module that imports it.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { LabClock } from '../../../common/clock.ts';
import type { DatabaseServiceName, Kit, PatternSwitch } from '../../../common/roster.ts';
import type { PostgresCluster } from '../../../infra/postgres/cluster.ts';
import type { Endpoints } from '../types.ts';
import type { HealthCheck } from './health.ts';

export const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');

/** What an entry can know while the stack starts (and again when one piece is restarted). */
export interface StackContext {
  readonly home: string;
  readonly without: readonly PatternSwitch[];
  readonly kit: Kit;
  /** The stack's lab clock, handed to every service through its environment. */
  readonly clock: LabClock;
  /** `<LAB_HOME>/data/<name>`, created on first use; `lab down --purge` deletes it. */
  dataDir(name: string): string;
  /** An allocated port: the component's first port, or the named one. */
  port(component: string, portName?: string): number;
  /** Whether the stack has this component (lets entries wire optional pieces). */
  has(component: string): boolean;
  readonly postgres: PostgresCluster;
  /** Direct URL of a service's own database (role + password); valid once postgres is healthy. */
  databaseUrl(service: DatabaseServiceName): string;
}

/** How to run the process. */
export interface Launch {
  command: string;
  args: string[];
  env?: Record<string, string>;
  uid?: number;
  gid?: number;
  stopSignal?: NodeJS.Signals;
  stopGraceMs?: number;
}

export interface EndpointContribution {
  gatewayUrl?: string;
  faultProxyUrl?: string;
  brokerBootstrap?: string;
  adminToken?: string;
  databases?: Partial<Endpoints['databases']>;
  services?: Partial<Endpoints['services']>;
}

export interface Component {
  name: string;
  kind: 'infra' | 'service';
  order: number;
  /** Port names to allocate at `lab up`; the first is the one `lab status` shows. */
  ports: readonly string[];
  launch(ctx: StackContext): Launch;
  health(ctx: StackContext): HealthCheck | undefined;
  /** Before every start (`lab up` and `lab restart`): create dirs, clean up after a crash. */
  prepare?(ctx: StackContext): Promise<void>;
  /** Once healthy during `lab up` only: create databases, proxies, topics. */
  afterHealthy?(ctx: StackContext): Promise<void>;
  /** What this piece adds to the printed endpoints. Services default to `services.<name>`. */
  endpoints?(ctx: StackContext): EndpointContribution;
  /** False when its code is not in this checkout yet; default true. */
  available?(): boolean;
}

/** Inspector flags would make every child fight for the same debug port. */
function inheritedNodeFlags(): string[] {
  return process.execArgv.filter((flag) => !flag.startsWith('--inspect'));
}

export interface NodeComponentOptions {
  name: string;
  kind: 'infra' | 'service';
  order: number;
  ports: readonly string[];
  /** Entry script, relative to the repository root. */
  script: string;
  args?: (ctx: StackContext) => string[];
  env?: (ctx: StackContext) => Record<string, string>;
  /** `{ http: '/health' }` (GET on the first port) or `{ tcp: 'portName' }`. */
  health: { http: string } | { tcp: string };
  prepare?: (ctx: StackContext) => Promise<void>;
  afterHealthy?: (ctx: StackContext) => Promise<void>;
  endpoints?: (ctx: StackContext) => EndpointContribution;
}

/** A Node process run with this Node and its flags (type stripping carries over). */
export function nodeComponent(options: NodeComponentOptions): Component {
  return {
    name: options.name,
    kind: options.kind,
    order: options.order,
    ports: options.ports,
    prepare: options.prepare,
    afterHealthy: options.afterHealthy,
    endpoints: options.endpoints,
    available: () => existsSync(path.join(REPO_ROOT, options.script)),
    launch: (ctx) => ({
      command: process.execPath,
      args: [...inheritedNodeFlags(), path.join(REPO_ROOT, options.script), ...(options.args?.(ctx) ?? [])],
      env: options.env?.(ctx) ?? {},
    }),
    health: (ctx) =>
      'http' in options.health
        ? { type: 'http', url: `http://127.0.0.1:${ctx.port(options.name)}${options.health.http}` }
        : { type: 'tcp', host: '127.0.0.1', port: ctx.port(options.name, options.health.tcp) },
  };
}

/**
 * A `bin/lab infra <name> --port <its port> ...` process (the broker, the fault proxy): `args` are
 * the ones after the port.
 */
export function labInfraComponent(options: Omit<NodeComponentOptions, 'kind' | 'script'>): Component {
  return nodeComponent({
    ...options,
    kind: 'infra',
    script: 'bin/lab',
    args: (ctx) => [
      'infra',
      options.name,
      '--port',
      String(ctx.port(options.name)),
      ...(options.args?.(ctx) ?? []),
    ],
  });
}
