import {
  type Admin,
  Kafka,
  type logCreator,
  logLevel,
  type Message,
  Partitioners,
  type Producer,
} from 'kafkajs';
import './kafkajs-timer-fix.ts';
import { deadLetterTopic, type OutgoingEvent, TOPICS } from './events.ts';
import type { Logger } from './log.ts';

/**
 * kafkajs's warning about an idempotent producer with limited retries: the lab limits them on
 * purpose (the relay retries a failed publish itself, and the outbox makes that safe), so it is
 * not worth a warning at every start.
 */
const ACCEPTED_WARNING = 'Limiting retries for the idempotent producer may invalidate EoS guarantees';

/** kafkajs logs through pino; its chatty connection errors are warnings, not our errors. */
function pinoLogCreator(log: Logger): logCreator {
  return () =>
    ({ level, log: entry }) => {
      const { message, ...rest } = entry;
      if ((level === logLevel.ERROR || level === logLevel.WARN) && message !== ACCEPTED_WARNING)
        log.warn({ kafka: rest }, `kafkajs: ${message}`);
      else log.debug({ kafka: rest }, `kafkajs: ${message}`);
    };
}

export function toKafkaMessage(event: OutgoingEvent): Message {
  return {
    key: event.aggregateId,
    value: JSON.stringify(event.payload),
    headers: event.headers,
    timestamp: String(event.createdAt.getTime()),
  };
}

/**
 * One Kafka client per service: an idempotent producer (the broker drops a retried batch it
 * already appended, so producer retries never duplicate) and an admin for topics and health.
 */
export class Bus {
  readonly kafka: Kafka;
  readonly producer: Producer;
  readonly #admin: Admin;
  #connected = false;
  /** Publish calls waiting for the request in flight to be answered. */
  readonly #waiting: Array<{
    events: OutgoingEvent[];
    resolve: () => void;
    reject: (error: unknown) => void;
  }> = [];
  #sending = false;

  constructor(options: { clientId: string; brokers: string[]; log: Logger }) {
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logCreator: pinoLogCreator(options.log),
      connectionTimeout: 3000,
      requestTimeout: 10_000,
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 2000 },
    });
    this.producer = this.kafka.producer({
      // kafkajs 2's default (murmur2, as the Java client): named so kafkajs does not warn about it.
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    this.#admin = this.kafka.admin();
  }

  async connect(): Promise<void> {
    await this.#admin.connect();
    await this.producer.connect();
    this.#connected = true;
  }

  /** Creates the shop's topics and their dead-letter topics if missing (idempotent). */
  async ensureTopics(partitions: number): Promise<void> {
    const existing = new Set(await this.#admin.listTopics());
    const wanted = TOPICS.flatMap((topic) => [topic, deadLetterTopic(topic)]).filter(
      (topic) => !existing.has(topic),
    );
    if (wanted.length === 0) return;
    try {
      await this.#admin.createTopics({
        waitForLeaders: true,
        topics: wanted.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
      });
    } catch (error) {
      // Another service created them in between: fine. Anything else is real.
      const after = new Set(await this.#admin.listTopics());
      if (!wanted.every((topic) => after.has(topic))) throw error;
    }
  }

  /**
   * Sends events in order (per topic, and so per key and partition) and waits for the broker's acks.
   * The producer has one request in flight at a time; what callers hand over meanwhile goes out in
   * the next request, all of it together (Kafka's own producer batches the same way): concurrent
   * relay sessions then cost one round trip to the broker between them, not one each in turn.
   * They publish different aggregates, so merging their events reorders no aggregate's.
   */
  publish(events: OutgoingEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#waiting.push({ events, resolve, reject });
      if (!this.#sending) void this.#sendWaiting();
    });
  }

  async #sendWaiting(): Promise<void> {
    this.#sending = true;
    while (this.#waiting.length > 0) {
      const callers = this.#waiting.splice(0);
      try {
        await this.#send(callers.flatMap((caller) => caller.events));
        for (const caller of callers) caller.resolve();
      } catch (error) {
        for (const caller of callers) caller.reject(error);
      }
    }
    this.#sending = false;
  }

  async #send(events: OutgoingEvent[]): Promise<void> {
    const byTopic = new Map<string, Message[]>();
    for (const event of events) {
      const messages = byTopic.get(event.topic) ?? [];
      messages.push(toKafkaMessage(event));
      byTopic.set(event.topic, messages);
    }
    await this.producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }

  async sendRaw(topic: string, messages: Message[]): Promise<void> {
    await this.producer.send({ topic, acks: -1, messages });
  }

  /** The broker answers a metadata request (for /health). */
  async ping(): Promise<void> {
    await this.#admin.describeCluster();
  }

  async disconnect(): Promise<void> {
    if (!this.#connected) return;
    this.#connected = false;
    await this.producer.disconnect().catch(() => {});
    await this.#admin.disconnect().catch(() => {});
  }
}
