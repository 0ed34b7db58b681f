import { runMain, startService } from '../kit/service.ts';
import { paymentHandlers } from './handlers.ts';
import { paymentRoutes } from './routes.ts';

/** payment: accounts and balances; one charge per order at most; refunds on cancel after capture. */
await runMain(() =>
  startService({
    name: 'payment',
    migrations: new URL('./migrations/', import.meta.url).pathname,
    handlers: ({ config }) =>
      paymentHandlers({
        compensation: !config.without.has('compensation'),
        guarded: !config.without.has('inbox'),
      }),
    routes: paymentRoutes,
  }),
);
