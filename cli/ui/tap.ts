/**
 * The console's tap on the broker: one kafkajs consumer in a group of its own that reads every
 * topic from "now" on, so it never moves the services' offsets. Messages are not forwarded one by
 * one: they pile up here and the console sends them to the browser in batches.
 */
import { randomBytes } from 'node:crypto';
import { type Consumer, type IHeaders, Kafka, logLevel } from 'kafkajs';
import { topicsToTail } from '../report/broker-tail.ts';
import '../../services/kit/kafkajs-timer-fix.ts';

export interface TappedEvent {
  topic: string;
  time: number;
  type: string;
  key: string | null;
  producer: string;
}

function header(headers: IHeaders | undefined, name: string): string {
  const value = headers?.[name];
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? '' : first.toString();
}

export class BrokerTap {
  readonly #brokers: string[];
  #consumer: Consumer | undefined;
  #pending: TappedEvent[] = [];
  /** Per topic, every message seen since the tap started. */
  readonly totals = new Map<string, number>();

  constructor(brokers: string[]) {
    this.#brokers = brokers;
  }

  get running(): boolean {
    return this.#consumer !== undefined;
  }

  async start(): Promise<void> {
    if (this.#consumer) return;
    const kafka = new Kafka({ clientId: 'lab-console', brokers: this.#brokers, logLevel: logLevel.NOTHING });
    const admin = kafka.admin();
    await admin.connect();
    const existing = new Set(await admin.listTopics());
    await admin.disconnect();
    const topics = topicsToTail(undefined).filter((topic) => existing.has(topic));
    const consumer = kafka.consumer({
      groupId: `lab-console-${randomBytes(4).toString('hex')}`,
      // The tap is a spectator: long polls keep an idle stack's cost near zero.
      maxWaitTimeInMs: 1000,
    });
    this.#consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: false });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, message }) => {
        this.totals.set(topic, (this.totals.get(topic) ?? 0) + 1);
        this.#pending.push({
          topic,
          time: Number(message.timestamp),
          type: header(message.headers, 'event-type') || '(no event-type)',
          key: message.key?.toString('utf8') ?? null,
          producer: header(message.headers, 'producer'),
        });
        // A browser that cannot keep up sees the newest events; the totals stay exact.
        if (this.#pending.length > 2000) this.#pending.splice(0, this.#pending.length - 2000);
      },
    });
  }

  /** Everything tapped since the last call. */
  drain(): TappedEvent[] {
    const batch = this.#pending;
    this.#pending = [];
    return batch;
  }

  async stop(): Promise<void> {
    const consumer = this.#consumer;
    this.#consumer = undefined;
    this.#pending = [];
    await consumer?.disconnect().catch(() => {});
  }
}
