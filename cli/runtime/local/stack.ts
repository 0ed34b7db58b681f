/**
 * The local stack as data: one entry per process, started in `order` (equal orders start together).
 *
 * Adding a piece is adding an entry to STACK, typically with nodeComponent() (component.ts):
 *
 *   nodeComponent({
 *     name: 'kafka', kind: 'infra', order: 1, ports: ['main'],
 *     script: 'bin/lab',
 *     args: (ctx) => ['infra', 'kafka', '--port', String(ctx.port('kafka')), '--data-dir', ctx.dataDir('kafka')],
 *     health: { tcp: 'main' },
 *     endpoints: (ctx) => ({ brokerBootstrap: `127.0.0.1:${ctx.port('kafka')}` }),
 *   })
 *
 * Every port named in `ports` is allocated (free, distinct) when `lab up` begins, before anything
 * starts, so any entry can pass any other entry's port to its process: `ctx.port('kafka')` is
 * kafka's first port, `ctx.port('fault-proxy', 'order.db')` a named one.
 */
import { mkdirSync } from 'node:fs';
import { DATABASE_SERVICES } from '../../../common/roster.ts';
import type { Component } from './component.ts';
import { faultProxyComponent } from './fault-proxy.ts';
import { SHOP_COMPONENTS } from './shop.ts';

const postgres: Component = {
  name: 'postgres',
  kind: 'infra',
  order: 0,
  ports: ['main'],
  prepare: (ctx) => ctx.postgres.prepareStart(),
  launch: (ctx) => ctx.postgres.launch(),
  health: (ctx) => ({ type: 'postgres', url: ctx.postgres.adminUrl() }),
  afterHealthy: async (ctx) => {
    await ctx.postgres.createServiceDatabases();
  },
  endpoints: (ctx) => ({
    databases: Object.fromEntries(DATABASE_SERVICES.map((service) => [service, ctx.databaseUrl(service)])),
  }),
};

/** The stack `lab up` starts. Entries whose script is not in this checkout yet are skipped. */
export const STACK: readonly Component[] = [postgres, faultProxyComponent({ order: 0 }), ...SHOP_COMPONENTS];

/** The entries whose code is in this checkout (a piece still being built is left out, not failed). */
export function availableComponents(stack: readonly Component[] = STACK): Component[] {
  return stack.filter((component) => component.available?.() ?? true);
}

export function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
