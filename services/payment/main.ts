import { runMain, startService } from '../kit/service.ts';
import { fastPaymentHandlers } from './fast-charge.ts';
import { paymentHandlers } from './handlers.ts';
import { paymentRoutes } from './routes.ts';

/** payment: accounts and balances; one charge per order at most; refunds on cancel after capture. */
const options = (without: ReadonlySet<string>) => ({
  compensation: !without.has('compensation'),
  guarded: !without.has('inbox'),
});

await runMain(() =>
  startService({
    name: 'payment',
    migrations: new URL('./migrations/', import.meta.url).pathname,
    handlers: ({ config }) => paymentHandlers(options(config.without)),
    routes: paymentRoutes,
    fast: { handlers: ({ config }) => fastPaymentHandlers(options(config.without)) },
  }),
);
