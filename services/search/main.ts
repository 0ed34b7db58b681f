import { Bus } from '../kit/bus.ts';
import { loadConfig } from '../kit/config.ts';
import { createLogger } from '../kit/log.ts';
import { retry, UNTIL_IT_WORKS } from '../kit/retry.ts';
import { runMain, type ServiceContext, startService } from '../kit/service.ts';
import { LagMeter } from './lag.ts';
import { registerLagMetrics, type SearchParts, searchRoutes } from './routes.ts';
import { ProjectionRunner } from './runner.ts';

/**
 * search: the read side (CQRS). Its own store, fed only by the catalog and inventory topics
 * (projection.ts), answering product searches; its consumer is run by runner.ts so it can be
 * paused and rebuilt while HTTP stays up.
 */
async function startSearch(env: NodeJS.ProcessEnv = process.env) {
  const config = loadConfig('search', env);
  const log = createLogger('search', config.logLevel).child({ part: 'projection' });
  const { clock } = config;
  const bus = new Bus({ clientId: 'search-projection', brokers: config.kafkaBrokers, log });
  let parts: SearchParts | undefined;
  const service = await startService(
    {
      name: 'search',
      migrations: new URL('./migrations/', import.meta.url).pathname,
      routes: (app, context: ServiceContext) => {
        const runner = new ProjectionRunner({ context, bus });
        const lag = new LagMeter({ bus, pool: context.pool, clock, group: () => runner.group });
        registerLagMetrics(context, lag);
        parts = { runner, lag, clock };
        searchRoutes(app, context, parts);
      },
    },
    env,
  );
  const { runner, lag } = parts!;
  // kafkajs can reject a promise nobody awaits on its crash path: replace that consumer (as
  // startService does for the consumers it runs); anything else is a bug, as Node would say.
  process.on('unhandledRejection', (reason) => {
    if (reason instanceof Error && reason.name.startsWith('KafkaJS')) return runner.recover(reason);
    log.fatal({ err: reason }, 'unhandled rejection');
    process.exit(1);
  });
  let stopping = false;
  void service.ready
    .then(() =>
      retry(() => bus.connect(), { ...UNTIL_IT_WORKS, stopped: () => stopping }).then(() => runner.start()),
    )
    .then(() => lag.start())
    .catch((error: unknown) => {
      if (!stopping) log.error({ err: error }, 'projection did not start');
    });
  return {
    url: service.url,
    async stop() {
      stopping = true;
      await lag.stop();
      await runner.stop();
      await bus.disconnect();
      await service.stop();
    },
  };
}

await runMain(() => startSearch());
