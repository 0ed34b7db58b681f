/**
 * The fault proxy as a whole: the Toxiproxy-compatible HTTP API plus the proxies it manages.
 * Used by `lab infra fault-proxy` and by the local runtime.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatHostPort } from './address.ts';
import { type ApiRequestLog, createApiHandler } from './api.ts';
import { ProxyCollection } from './proxy-collection.ts';
import { createRandom } from './random.ts';

export interface FaultProxyOptions {
  /** API listen address; default 127.0.0.1. */
  host?: string;
  /** API port; default 8474 (Toxiproxy's), 0 for any free port. */
  port?: number;
  /** Seed of the random source behind toxicity draws, jitter and slicing; random when absent. */
  seed?: number;
  /** Called for every answered API request (an access log). */
  onRequest?: (entry: ApiRequestLog) => void;
  /**
   * A populate body (Toxiproxy's config file) applied before the API answers, so a restarted
   * fault proxy has its links again by the time it looks healthy. Throws the populate error.
   */
  populate?: unknown;
}

export interface FaultProxy {
  /** Base URL of the API, e.g. http://127.0.0.1:8474 (what toxiproxy-node-client takes). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly seed: number;
  /** The proxies, for in-process use (tests, the runtime); the API is the public interface. */
  readonly proxies: ProxyCollection;
  /** Stops every proxy (closing their connections) and the API. */
  close(): Promise<void>;
}

export async function startFaultProxy(options: FaultProxyOptions = {}): Promise<FaultProxy> {
  const host = options.host ?? '127.0.0.1';
  const random = createRandom(options.seed);
  const proxies = new ProxyCollection(random);
  if (options.populate !== undefined) {
    const { error } = await proxies.populate(options.populate);
    if (error) {
      await proxies.clear();
      throw error;
    }
  }
  const server = createServer(createApiHandler(proxies, options.onRequest));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: options.port ?? 8474 }, () => resolve());
  }).catch(async (error: unknown) => {
    await proxies.clear();
    throw error;
  });
  const address = server.address() as AddressInfo;
  const hostPort = formatHostPort({ host: address.address, port: address.port });
  return {
    url: `http://${hostPort}`,
    host: address.address,
    port: address.port,
    seed: random.seed,
    proxies,
    async close() {
      await proxies.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
