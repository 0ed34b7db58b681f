/**
 * A group's kafkajs consumer that is replaced when kafkajs gives up on it: the base of both kits'
 * consumers.
 *
 * kafkajs restarts a crashed consumer itself only after the crashes it deems retriable; after any
 * other (or when its own crash path fails: after a broker restart forgot the group, onCrash →
 * disconnect → LeaveGroup is answered UNKNOWN_MEMBER_ID and the rejection reaches no one) the
 * consumer is stopped for good, and the service would silently stop consuming. Recovery disconnects
 * it and starts a fresh one until that works. Offsets were committed only after each handler's
 * transaction, so the new member resumes where the group left off; the inbox absorbs what is
 * delivered again.
 */
import type { Consumer } from 'kafkajs';
import type { Bus } from './bus.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import { retry, UNTIL_IT_WORKS } from './retry.ts';

export interface RecoveringConsumerOptions {
  /** Consumer group: the service name. */
  group: string;
  bus: Bus;
  metrics?: Metrics | undefined;
  log: Logger;
}

/** The kafkajs consumer of a group, as both kits configure it. */
function createGroupConsumer(bus: Bus, group: string): Consumer {
  return bus.kafka.consumer({
    groupId: group,
    // A killed member holds its partitions until its session times out: the shortest a Kafka broker
    // accepts by default (group.min.session.timeout.ms), so a crashed service's events wait 6 s,
    // not kafkajs' 30. Heartbeats go every second, between messages, well inside it.
    sessionTimeout: 6000,
    heartbeatInterval: 1000,
    rebalanceTimeout: 20_000,
    // The broker answers a fetch as soon as data arrives; the wait only bounds idle polling.
    maxWaitTimeInMs: 1000,
    allowAutoTopicCreation: false,
    retry: { retries: 10, initialRetryTime: 200, maxRetryTime: 5000 },
  });
}

/**
 * A kit's consumer: `run` subscribes a connected kafkajs consumer and runs it; this class connects
 * it, replaces it when kafkajs gives up on it, and disconnects it on `stop`.
 */
export abstract class RecoveringConsumer {
  readonly #base: RecoveringConsumerOptions;
  #consumer: Consumer | undefined;
  #recovering: Promise<void> | undefined;
  /** True once `stop` was called: no recovery, no retries, nothing new committed. */
  protected stopping = false;

  constructor(options: RecoveringConsumerOptions) {
    this.#base = options;
  }

  /** Subscribes a connected consumer and runs it (kafkajs `subscribe` and `run`). */
  protected abstract run(consumer: Consumer): Promise<void>;

  /** Listeners every new consumer needs besides the crash one. */
  protected configure(_consumer: Consumer): void {}

  /** The kafkajs consumer running now (a new one after each recovery). */
  protected get consumer(): Consumer {
    this.#consumer ??= this.#create();
    return this.#consumer;
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.run(this.consumer);
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.#disconnect();
  }

  /** Replaces the consumer; several crash reports meanwhile share the one replacement. */
  recover(reason: unknown): Promise<void> {
    if (this.stopping) return Promise.resolve();
    this.#recovering ??= this.#replace(reason).finally(() => {
      this.#recovering = undefined;
    });
    return this.#recovering;
  }

  async #disconnect(): Promise<void> {
    await this.#consumer?.disconnect().catch(() => {});
  }

  #create(): Consumer {
    const consumer = createGroupConsumer(this.#base.bus, this.#base.group);
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      if (!payload.restart) void this.recover(payload.error);
    });
    this.configure(consumer);
    return consumer;
  }

  async #replace(reason: unknown): Promise<void> {
    const { log, metrics } = this.#base;
    log.error({ err: reason }, 'consumer: kafkajs gave up on its consumer, starting a new one');
    metrics?.consumerRecoveries.inc();
    await this.#disconnect();
    await retry(
      async () => {
        this.#consumer = this.#create();
        try {
          await this.start();
        } catch (error) {
          await this.#disconnect();
          throw error;
        }
      },
      {
        ...UNTIL_IT_WORKS,
        stopped: () => this.stopping,
        onRetry: ({ error, attempt }) =>
          log.warn({ err: error, attempt }, 'consumer: new consumer could not start, retrying'),
      },
    ).catch(() => {});
    if (!this.stopping) log.info('consumer: new consumer running');
  }
}
