import { runMain, startService } from '../kit/service.ts';
import { catalogRoutes } from './routes.ts';

/** catalog: products and prices; price quotes for the gateway; publishes ProductCreated. */
await runMain(() =>
  startService({
    name: 'catalog',
    migrations: new URL('./migrations/', import.meta.url).pathname,
    routes: catalogRoutes,
  }),
);
