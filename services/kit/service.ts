import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { Bus } from './bus.ts';
import { loadConfig, type ServiceConfig } from './config.ts';
import { EventConsumer, type HandlerMap, type RecordReceived } from './consumer.ts';
import { createPool, type Pool } from './db.ts';
import { type FastForms, startFastKit } from './fast/kit.ts';
import { FaultHooks } from './faults.ts';
import { createHttpServer, parseInput, requireAdmin } from './http.ts';
import { kitOptions } from './kit-options.ts';
import { createLogger, type Logger } from './log.ts';
import { Metrics } from './metrics.ts';
import { kitMigrations, migrate } from './migrate.ts';
import { type EventWriter, OutboxWriter, type RecordEmitted } from './outbox.ts';
import { Relay } from './relay.ts';
import { retry, UNTIL_IT_WORKS } from './retry.ts';
import { startTracing } from './tracing.ts';

/** What a service's routes and handlers get to work with. */
export interface ServiceContext {
  config: ServiceConfig;
  log: Logger;
  pool: Pool;
  writer: EventWriter;
  metrics: Metrics;
  faults: FaultHooks;
}

/** What every kit is built from: the parts that do not depend on the kit. */
export interface KitBase {
  definition: ServiceDefinition;
  config: ServiceConfig;
  log: Logger;
  bus: Bus;
  metrics: Metrics;
  faults: FaultHooks;
}

/** A kit's running parts: the writer routes use, the relay, the consumer. */
export interface KitParts {
  context: ServiceContext;
  routes: ((app: FastifyInstance) => void) | undefined;
  relay: { start(): void; stop(): Promise<void> } | undefined;
  consumer:
    | { start(): Promise<void>; stop(): Promise<void>; recover(reason: unknown): Promise<void> }
    | undefined;
}

export interface ServiceDefinition {
  name: string;
  /** Directory of the service's own `*.sql` migrations. */
  migrations: string;
  handlers?: (context: ServiceContext) => HandlerMap;
  /** The service's own record of every event it receives and emits (the order's history). */
  journal?: { received?: RecordReceived; emitted?: RecordEmitted };
  routes?: (app: FastifyInstance, context: ServiceContext) => void;
  /** The fast kit's forms of the same decisions (services/<name>/fast-*.ts), used only with `--kit fast`. */
  fast?: FastForms;
}

export interface RunningService {
  url: string;
  context: ServiceContext;
  /** Resolves when the service is ready (migrated, broker reachable, consuming). */
  ready: Promise<void>;
  stop(): Promise<void>;
}

const faultsBody = z.object({
  duplicate: z
    .object({
      probability: z.number().min(0).max(1),
      copies: z.number().int().min(1).max(10),
      // Seeds the hook's draws (FaultHooks.setDuplicate): the same seed, the same decisions.
      seed: z.number().int().min(0).max(0xffff_ffff).optional(),
    })
    .nullable()
    .optional(),
  relay_crash: z.boolean().optional(),
});

/** /health, /metrics and the fault hooks every service has (SCHEMA.md "Fault hooks"). */
export function registerOperationalRoutes(
  app: FastifyInstance,
  options: {
    config: ServiceConfig;
    faults: FaultHooks;
    metrics: Metrics;
    health: () => Promise<Record<string, string>>;
  },
): void {
  const { config, faults, metrics, health } = options;
  app.get('/health', async (_request: FastifyRequest, reply: FastifyReply) => {
    const checks = await health();
    const ready = Object.values(checks).every((state) => state === 'ok');
    return reply
      .status(ready ? 200 : 503)
      .send({ status: ready ? 'ready' : 'unavailable', service: config.service, checks });
  });
  app.get('/metrics', async (_request: FastifyRequest, reply: FastifyReply) =>
    reply.header('content-type', 'text/plain; version=0.0.4').send(await metrics.text()),
  );
  app.get('/admin/faults', async (request: FastifyRequest) => {
    requireAdmin(request, config.adminToken);
    return faults.snapshot();
  });
  app.post('/admin/faults', async (request: FastifyRequest) => {
    requireAdmin(request, config.adminToken);
    const body = parseInput(faultsBody, request.body);
    if (body.duplicate !== undefined) faults.setDuplicate(body.duplicate ?? undefined);
    if (body.relay_crash !== undefined) faults.relayCrash = body.relay_crash;
    request.log.warn({ faults: faults.snapshot() }, 'fault hooks changed');
    return faults.snapshot();
  });
  app.post('/admin/reset', async (request: FastifyRequest) => {
    requireAdmin(request, config.adminToken);
    faults.reset();
    return faults.snapshot();
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Starts a service with a database and the broker: HTTP first (so /health can say what is
 * missing), then, retrying until it works, migrations, topics, the relay and the consumer.
 */
export async function startService(
  definition: ServiceDefinition,
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunningService> {
  const config = loadConfig(definition.name, env);
  const log = createLogger(definition.name, config.logLevel);
  const tracing = startTracing({ service: definition.name, env });
  const faults = new FaultHooks({ duplicateDefault: config.duplicateDefault });
  const bus = new Bus({ clientId: definition.name, brokers: config.kafkaBrokers, log });
  // The backlog gauge reads the pool the kit creates below.
  let backlogPool: Pool | undefined;
  const metrics = new Metrics(definition.name, {
    backlog: async () =>
      (
        await backlogPool!.query<{ n: number }>(
          'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
        )
      ).rows[0]?.n ?? 0,
  });
  const base: KitBase = { definition, config, log, bus, metrics, faults };
  const kit = config.kit === 'fast' ? startFastKit(base) : startReferenceKit(base);
  const { context, relay, consumer } = kit;
  const { pool } = context;
  backlogPool = pool;

  if (consumer) {
    // kafkajs can reject a promise nobody awaits on its crash path (see EventConsumer.recover): that
    // consumer is dead, so the service starts a new one instead of Node ending the whole service.
    // Any other unhandled rejection is a bug: say so and exit, as Node would.
    process.on('unhandledRejection', (reason) => {
      if (reason instanceof Error && reason.name.startsWith('KafkaJS')) {
        void consumer.recover(reason);
        return;
      }
      log.fatal({ err: reason }, 'unhandled rejection');
      process.exit(1);
    });
  }

  let started = false;
  let stopping = false;
  const app = createHttpServer(log);
  registerOperationalRoutes(app, {
    config,
    faults,
    metrics,
    health: async () => ({
      startup: started ? 'ok' : 'starting',
      database: await withTimeout(pool.query('SELECT 1'), 2000).then(
        () => 'ok',
        (error: Error) => error.message,
      ),
      broker: await withTimeout(bus.ping(), 2000).then(
        () => 'ok',
        (error: Error) => error.message,
      ),
    }),
  });
  kit.routes?.(app);
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host}:${port}`;
  log.info({ url, kit: config.kit, without: [...config.without], tracing: tracing.enabled }, 'listening');

  const ready = retry(
    async () => {
      const applied = await migrate(pool, [
        kitMigrations(),
        { name: definition.name, directory: definition.migrations },
      ]);
      if (applied.length > 0) log.info({ applied }, 'migrated');
      await bus.connect();
      await bus.ensureTopics(config.topicPartitions);
      relay?.start();
      await consumer?.start();
      started = true;
      log.info('ready');
    },
    {
      ...UNTIL_IT_WORKS,
      initialRetryTime: 200,
      stopped: () => stopping,
      onRetry: ({ error, attempt }) => log.warn({ err: error, attempt }, 'startup step failed, retrying'),
    },
  ).catch(() => {});

  return {
    url,
    context,
    ready,
    async stop() {
      if (stopping) return;
      stopping = true;
      log.info('shutting down');
      await app.close().catch(() => {});
      await consumer?.stop();
      await relay?.stop();
      await bus.disconnect();
      await pool.end().catch(() => {});
      await tracing.shutdown();
      log.info('stopped');
    },
  };
}

/** The reference kit: plain pool, OutboxWriter, Relay, EventConsumer (the files a learner reads). */
function startReferenceKit(base: KitBase): KitParts {
  const { definition, config, log, metrics, faults } = base;
  const options = kitOptions(base);
  const pool = createPool(config.databaseUrl!, { max: 10, application: definition.name });
  const writer = new OutboxWriter({ ...options.writer, pool, recordEmitted: definition.journal?.emitted });
  const context: ServiceContext = { config, log, pool, writer, metrics, faults };
  const relay = writer.usesOutbox ? new Relay({ ...options.relay, pool }) : undefined;
  const consumer = definition.handlers
    ? new EventConsumer({
        ...options.consumer,
        pool,
        writer,
        handlers: definition.handlers(context),
        recordReceived: definition.journal?.received,
      })
    : undefined;
  const routes = definition.routes;
  return { context, relay, consumer, routes: routes && ((app) => routes(app, context)) };
}

/** Entry point helper for services/<name>/main.ts: start, and stop gracefully on SIGTERM/SIGINT. */
export async function runMain(start: () => Promise<{ stop(): Promise<void> }>): Promise<void> {
  let service: { stop(): Promise<void> };
  try {
    service = await start();
  } catch (error) {
    process.stderr.write(
      `${JSON.stringify({ level: 'fatal', msg: 'could not start', err: String(error) })}\n`,
    );
    process.exit(1);
  }
  const shutdown = () => {
    // A stuck dependency must not keep a stopped service alive forever.
    setTimeout(() => process.exit(1), 15_000).unref();
    void service.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}
