/**
 * The broker server: one TCP server per listener, each with the address it advertises, so a
 * client that came in through a fault-proxy link is told (in Metadata and FindCoordinator) to
 * keep using that link.
 *
 *   const broker = await startBroker({ dataDir, port: 0, listeners: [{ port: 0, advertisedPort: 19092 }] });
 *   broker.listeners  // bound addresses + what each advertises
 *   await broker.close();
 */
import { mkdirSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { type Logger, pino } from 'pino';
import { type BrokerConfig, BrokerCore, DEFAULT_BROKER_CONFIG } from './broker-core.ts';
import { Connection } from './connection.ts';
import { groupCoordinatorFactory } from './groups/index.ts';
import type { GroupCoordinatorFactory, ListenerInfo } from './protocol/context.ts';
import type { ApiRegistry } from './protocol/registry.ts';
import { createDefaultRegistry } from './protocol/requests/index.ts';

export interface ListenerOptions {
  host?: string;
  /** 0 (default) picks a free port */
  port?: number;
  /** defaults to the bound host (127.0.0.1 for a wildcard bind such as 0.0.0.0) */
  advertisedHost?: string;
  /** defaults to the bound port */
  advertisedPort?: number;
}

export interface StartBrokerOptions {
  /** where topics, producer ids and group state live; created if missing */
  dataDir: string;
  /** the main listener (default 127.0.0.1:0) */
  host?: string;
  port?: number;
  advertisedHost?: string;
  advertisedPort?: number;
  /** more listeners, each advertising its own address (one per fault-proxy link) */
  listeners?: ListenerOptions[];
  /** partitions of auto-created topics (default 1) */
  partitions?: number;
  /** default true */
  autoCreateTopics?: boolean;
  /** default 1 MiB + 12 bytes, as Kafka's message.max.bytes */
  maxMessageBytes?: number;
  /** fsync every append (default false: write(2) is enough to survive a process crash) */
  fsync?: boolean;
  segmentBytes?: number;
  /** how often retention and compaction run (default 30 s; tests use less) */
  logCleanIntervalMs?: number;
  /** how often open transactions are checked against their timeout (default 1 s) */
  transactionCheckIntervalMs?: number;
  nodeId?: number;
  /** default: a silent logger */
  logger?: Logger;
  /**
   * the consumer-group coordinator, started and closed with the broker (default: the lab's own,
   * groups/index.ts; null: none, group APIs answer COORDINATOR_NOT_AVAILABLE)
   */
  groupCoordinator?: GroupCoordinatorFactory | null;
  /** default: every implemented API (protocol/requests/index.ts) */
  registry?: ApiRegistry;
}

export interface RunningBroker {
  /** bound addresses, in the order given: the main listener first */
  listeners: ListenerInfo[];
  nodeId: number;
  clusterId: string;
  core: BrokerCore;
  close(): Promise<void>;
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '']);

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

export async function startBroker(options: StartBrokerOptions): Promise<RunningBroker> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const config: BrokerConfig = {
    ...DEFAULT_BROKER_CONFIG,
    nodeId: options.nodeId ?? DEFAULT_BROKER_CONFIG.nodeId,
    defaultPartitions: options.partitions ?? DEFAULT_BROKER_CONFIG.defaultPartitions,
    autoCreateTopics: options.autoCreateTopics ?? DEFAULT_BROKER_CONFIG.autoCreateTopics,
    maxMessageBytes: options.maxMessageBytes ?? DEFAULT_BROKER_CONFIG.maxMessageBytes,
    logCleanIntervalMs: options.logCleanIntervalMs ?? DEFAULT_BROKER_CONFIG.logCleanIntervalMs,
    transactionCheckIntervalMs:
      options.transactionCheckIntervalMs ?? DEFAULT_BROKER_CONFIG.transactionCheckIntervalMs,
    log: {
      ...DEFAULT_BROKER_CONFIG.log,
      fsync: options.fsync ?? DEFAULT_BROKER_CONFIG.log.fsync,
      segmentBytes: options.segmentBytes ?? DEFAULT_BROKER_CONFIG.log.segmentBytes,
    },
  };
  mkdirSync(options.dataDir, { recursive: true });
  const core = new BrokerCore(options.dataDir, config, logger);
  const registry = options.registry ?? createDefaultRegistry();
  registry.ranges(); // fail fast on a registry with version gaps

  const coordinatorFactory =
    options.groupCoordinator === undefined ? groupCoordinatorFactory() : options.groupCoordinator;
  if (coordinatorFactory) {
    mkdirSync(core.groupsDir, { recursive: true });
    core.coordinator = await coordinatorFactory({
      dataDir: core.groupsDir,
      nodeId: config.nodeId,
      logger: logger.child({ component: 'groups' }),
      topics: core.topics,
    });
  }
  core.transactions.recover();

  const wanted: ListenerOptions[] = [
    {
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      ...(options.advertisedHost !== undefined ? { advertisedHost: options.advertisedHost } : {}),
      ...(options.advertisedPort !== undefined ? { advertisedPort: options.advertisedPort } : {}),
    },
    ...(options.listeners ?? []),
  ];
  const servers: Server[] = [];
  const connections = new Set<Connection>();
  const sockets = new Set<Socket>();
  const listeners: ListenerInfo[] = [];
  let nextConnectionId = 1;
  try {
    for (const [index, want] of wanted.entries()) {
      const host = want.host ?? '127.0.0.1';
      const listener: ListenerInfo = { name: '', host, port: 0, advertisedHost: '', advertisedPort: 0 };
      const server = createServer((socket) => {
        sockets.add(socket);
        const connection = new Connection({
          id: nextConnectionId++,
          socket,
          broker: core,
          registry,
          listener,
          logger: logger.child({ listener: listener.name }),
        });
        connections.add(connection);
        socket.on('close', () => {
          sockets.delete(socket);
          connections.delete(connection);
        });
      });
      servers.push(server);
      listener.port = await listen(server, host, want.port ?? 0);
      listener.name = index === 0 ? 'default' : `${host}:${listener.port}`;
      // a wildcard bind address is no address to give a client: default to loopback
      listener.advertisedHost = want.advertisedHost ?? (WILDCARD_HOSTS.has(host) ? '127.0.0.1' : host);
      listener.advertisedPort = want.advertisedPort ?? listener.port;
      listeners.push(listener);
    }
  } catch (error) {
    for (const server of servers) server.close();
    await core.coordinator?.close();
    core.close();
    throw error;
  }
  logger.info(
    { nodeId: config.nodeId, clusterId: core.clusterId, dataDir: options.dataDir, listeners },
    'kafka broker listening',
  );

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const stopped = servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
      for (const connection of connections) connection.close();
      for (const socket of sockets) socket.destroy();
      await Promise.all(stopped);
      await core.coordinator?.close();
      core.close();
      logger.info('kafka broker stopped');
    })();
    return closing;
  };
  return { listeners, nodeId: config.nodeId, clusterId: core.clusterId, core, close };
}
