import { runMain, startService } from '../kit/service.ts';
import { fastConfirmHandlers } from './fast-confirm.ts';
import { fastOrderJournal } from './fast-journal.ts';
import { fastPlaceOrder } from './fast-place.ts';
import { orderHandlers } from './handlers.ts';
import { orderRoutes } from './routes.ts';
import { orderHistory, placeOrder } from './saga.ts';

/** order: places orders and follows each saga to CONFIRMED or CANCELLED, keeping its history. */
await runMain(() =>
  startService({
    name: 'order',
    migrations: new URL('./migrations/', import.meta.url).pathname,
    handlers: ({ metrics }) => orderHandlers(metrics),
    journal: orderHistory,
    routes: (app, context) => orderRoutes(app, context, placeOrder),
    fast: {
      handlers: ({ metrics }) => fastConfirmHandlers(metrics),
      journal: fastOrderJournal,
      routes: (app, context) => orderRoutes(app, context, fastPlaceOrder),
    },
  }),
);
