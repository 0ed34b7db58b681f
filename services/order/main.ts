import { runMain, startService } from '../kit/service.ts';
import { orderHandlers } from './handlers.ts';
import { orderRoutes } from './routes.ts';
import { orderJournal } from './saga.ts';

/** order: places orders and follows each saga to CONFIRMED or CANCELLED, keeping its history. */
await runMain(() =>
  startService({
    name: 'order',
    migrations: new URL('./migrations/', import.meta.url).pathname,
    handlers: ({ metrics }) => orderHandlers(metrics),
    journal: orderJournal,
    routes: orderRoutes,
  }),
);
