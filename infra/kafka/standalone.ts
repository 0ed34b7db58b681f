/**
 * `lab infra kafka`: the broker as a foreground process. JSON log lines (pino) on stdout,
 * clean shutdown (listeners closed, logs closed) on SIGTERM or SIGINT.
 */
import { pino } from 'pino';
import { type ListenerOptions, type RunningBroker, startBroker } from './broker.ts';

export interface StandaloneOptions {
  host: string;
  port: number;
  dataDir: string;
  partitions: number;
  listeners: ListenerOptions[];
  advertisedHost?: string;
  advertisedPort?: number;
  autoCreateTopics?: boolean;
  fsync?: boolean;
  logLevel?: string;
}

/** Starts the broker and resolves, with the signal that stopped it, once it has stopped. */
export async function runKafkaStandalone(options: StandaloneOptions): Promise<NodeJS.Signals> {
  const logger = pino({
    level: options.logLevel ?? process.env.LAB_LOG_LEVEL ?? 'info',
    base: { service: 'kafka' },
  });
  let broker: RunningBroker;
  try {
    broker = await startBroker({
      dataDir: options.dataDir,
      host: options.host,
      port: options.port,
      listeners: options.listeners,
      partitions: options.partitions,
      logger,
      ...(options.advertisedHost !== undefined ? { advertisedHost: options.advertisedHost } : {}),
      ...(options.advertisedPort !== undefined ? { advertisedPort: options.advertisedPort } : {}),
      ...(options.autoCreateTopics !== undefined ? { autoCreateTopics: options.autoCreateTopics } : {}),
      ...(options.fsync !== undefined ? { fsync: options.fsync } : {}),
    });
  } catch (error) {
    logger.fatal({ err: error }, 'kafka broker failed to start');
    throw error;
  }
  return new Promise<NodeJS.Signals>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      logger.info({ signal }, 'stopping');
      broker.close().then(
        () => resolve(signal),
        (error: unknown) => {
          logger.error({ err: error }, 'error while stopping');
          resolve(signal);
        },
      );
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
  });
}
