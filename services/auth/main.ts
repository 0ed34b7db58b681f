import { runMain, startService } from '../kit/service.ts';
import { authRoutes } from './routes.ts';

/** auth: users and scrypt password hashes; issues JWTs; publishes UserRegistered. */
await runMain(() =>
  startService({
    name: 'auth',
    migrations: new URL('./migrations/', import.meta.url).pathname,
    routes: authRoutes,
  }),
);
