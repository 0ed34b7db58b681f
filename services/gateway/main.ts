import { loadConfig } from '../kit/config.ts';
import { createHttpServer } from '../kit/http.ts';
import { createLogger } from '../kit/log.ts';
import { Metrics } from '../kit/metrics.ts';
import { runMain } from '../kit/service.ts';
import { startTracing } from '../kit/tracing.ts';
import { HttpFaults } from './http-faults.ts';
import { gatewayRoutes, UPSTREAMS, type Upstream } from './routes.ts';

/** gateway: the one public HTTP entry; verifies JWTs and routes /api/<service>/... */
async function startGateway(env: NodeJS.ProcessEnv = process.env) {
  const config = loadConfig('gateway', env, { needsDatabase: false });
  const log = createLogger('gateway', config.logLevel);
  const tracing = startTracing({ service: 'gateway', env });
  const secret = new TextEncoder().encode(env.JWT_SECRET ?? '');
  if (secret.length < 16) throw new Error('JWT_SECRET must be set (at least 16 characters)');
  const upstreams = {} as Record<Upstream, string>;
  for (const service of UPSTREAMS) {
    const url = env[`${service.toUpperCase()}_URL`];
    if (!url) throw new Error(`${service.toUpperCase()}_URL is required`);
    upstreams[service] = url;
  }
  const metrics = new Metrics('gateway');
  const app = createHttpServer(log);
  app.get('/health', async () => ({ status: 'ready', service: 'gateway' }));
  app.get('/metrics', async (_request, reply) =>
    reply.header('content-type', 'text/plain; version=0.0.4').send(await metrics.text()),
  );
  const faults = new HttpFaults(UPSTREAMS);
  faults.register(app, config.adminToken);
  gatewayRoutes(app, { upstreams, jwtSecret: secret, adminToken: config.adminToken, faults });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const url = `http://${config.host}:${typeof address === 'object' && address ? address.port : config.port}`;
  log.info({ url, tracing: tracing.enabled }, 'listening');
  return {
    url,
    async stop() {
      await app.close();
      await tracing.shutdown();
    },
  };
}

await runMain(() => startGateway());
