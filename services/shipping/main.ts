import { runMain, startService } from '../kit/service.ts';
import { fastScheduleHandlers } from './fast-schedule.ts';
import { shippingHandlers } from './handlers.ts';
import { shippingRoutes } from './routes.ts';

/** shipping: schedules exactly one shipment per confirmed order. */
await runMain(() =>
  startService({
    name: 'shipping',
    migrations: new URL('./migrations/', import.meta.url).pathname,
    handlers: () => shippingHandlers(),
    routes: shippingRoutes,
    fast: { handlers: () => fastScheduleHandlers() },
  }),
);
