import { runMain, startService } from '../kit/service.ts';
import { fastConsumeHandlers } from './fast-consume.ts';
import { fastReserveHandlers } from './fast-reserve.ts';
import { inventoryHandlers } from './handlers.ts';
import { inventoryRoutes } from './routes.ts';

/** inventory: one row per stock unit; reserves the oldest sellable units, releases, consumes. */
await runMain(() =>
  startService({
    name: 'inventory',
    migrations: new URL('./migrations/', import.meta.url).pathname,
    handlers: ({ config }) => inventoryHandlers({ compensation: !config.without.has('compensation') }),
    routes: inventoryRoutes,
    fast: {
      handlers: () => ({ orders: { ...fastReserveHandlers().orders, ...fastConsumeHandlers().orders } }),
    },
  }),
);
