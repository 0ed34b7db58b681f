import { runMain, startService } from '../kit/service.ts';
import { fastConsumeHandlers } from './fast-consume.ts';
import { fastReserveHandlers } from './fast-reserve.ts';
import { inventoryHandlers } from './handlers.ts';
import { shelfRule } from './reserve.ts';
import { inventoryRoutes } from './routes.ts';

/**
 * inventory: one row per stock unit; reserves the oldest sellable units, releases, consumes; runs
 * the oven, the stale sweep and the throw-out on the lab clock (oven.ts).
 */
await runMain(() =>
  startService({
    name: 'inventory',
    migrations: new URL('./migrations/', import.meta.url).pathname,
    handlers: ({ config }) =>
      inventoryHandlers({ compensation: !config.without.has('compensation'), shelf: shelfRule(config) }),
    routes: inventoryRoutes,
    fast: {
      handlers: ({ config }) => ({
        orders: {
          ...fastReserveHandlers(shelfRule(config)).orders,
          ...fastConsumeHandlers(config.clock).orders,
        },
      }),
    },
  }),
);
