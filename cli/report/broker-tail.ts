/**
 * `lab events`: a readable tail of the broker's topics for a learner watching sagas move. Each
 * message as one line (time, topic[partition]@offset, event type, key, producer, ids) and its
 * JSON payload; dead-letter topics show why the message was given up. It reads with its own
 * throwaway consumer group from the last `tail` messages of every partition, so it never moves
 * the services' offsets.
 */
import { randomBytes } from 'node:crypto';
import chalk from 'chalk';
import { type IHeaders, Kafka, logLevel } from 'kafkajs';
import { TOPICS } from '../../common/roster.ts';
// kafkajs re-arms a negative timer after every response (Node warns on stderr); the kit's fix stops it.
import '../../services/kit/kafkajs-timer-fix.ts';

export interface TailOptions {
  brokers: string[];
  topics?: string[];
  /** Only messages of this order (message key or payload order_id). */
  orderId?: string;
  /** How many messages per partition to show from before now. */
  tail: number;
  follow: boolean;
  signal: AbortSignal;
  write(text: string): void;
}

export interface TailedMessage {
  topic: string;
  partition: number;
  offset: string;
  timestamp: number;
  key: string | null;
  headers: Record<string, string>;
  value: string | null;
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) decoded[name] = Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
  }
  return decoded;
}

function orderOf(message: TailedMessage): string | null {
  try {
    const payload = JSON.parse(message.value ?? '') as Record<string, unknown>;
    if (typeof payload.order_id === 'string') return payload.order_id;
  } catch {
    // Not JSON (poison): only its key can name the order.
  }
  return message.key;
}

export function formatMessage(message: TailedMessage): string {
  const headers = message.headers;
  const time = new Date(message.timestamp).toISOString().slice(11, 23);
  const type = headers['event-type'] ?? '(no event-type)';
  const ids = [
    headers.producer ? `from ${headers.producer}` : '',
    headers['event-id'] ? `event ${headers['event-id'].slice(0, 8)}` : '',
    headers['correlation-id'] ? `correlation ${headers['correlation-id'].slice(0, 8)}` : '',
    headers['causation-id'] ? `caused by ${headers['causation-id'].slice(0, 8)}` : '',
  ].filter(Boolean);
  const dead = message.topic.endsWith('.dlq')
    ? chalk.red(`  dead letter after ${headers.attempts ?? '?'} attempts: ${headers.error ?? ''}`)
    : '';
  let payload = message.value ?? '';
  try {
    payload = JSON.stringify(JSON.parse(payload));
  } catch {
    payload = JSON.stringify(payload);
  }
  return `${chalk.dim(time)} ${chalk.cyan(`${message.topic}[${message.partition}]@${message.offset}`)} ${chalk.bold(type)}  key ${message.key ?? '-'}  ${chalk.dim(ids.join('  '))}${dead}\n    ${payload.length > 400 ? `${payload.slice(0, 400)}…` : payload}\n`;
}

/** Every topic of the shop and its dead-letter topic, or the ones asked for. */
export function topicsToTail(asked: string[] | undefined): string[] {
  return asked && asked.length > 0 ? asked : TOPICS.flatMap((topic) => [topic, `${topic}.dlq`]);
}

export async function tailTopics(options: TailOptions): Promise<number> {
  const kafka = new Kafka({ clientId: 'lab-events', brokers: options.brokers, logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const existing = new Set(await admin.listTopics());
  const topics = topicsToTail(options.topics).filter((topic) => existing.has(topic));
  const ends = new Map<string, { start: bigint; end: bigint }>();
  for (const topic of topics)
    for (const partition of await admin.fetchTopicOffsets(topic)) {
      const end = BigInt(partition.high);
      const low = BigInt(partition.low);
      const start = end - BigInt(options.tail) > low ? end - BigInt(options.tail) : low;
      ends.set(`${topic}:${partition.partition}`, { start, end });
    }
  await admin.disconnect();
  const pending = new Set([...ends].filter(([, range]) => range.end > range.start).map(([key]) => key));
  if (topics.length === 0 || (!options.follow && pending.size === 0)) return 0;

  const consumer = kafka.consumer({ groupId: `lab-events-${randomBytes(4).toString('hex')}` });
  let shown = 0;
  // The backlog is printed in time order once read (partitions arrive in any order); followed
  // messages as they come.
  const backlog: TailedMessage[] = [];
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  options.signal.addEventListener('abort', () => finish(), { once: true });
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        const key = `${topic}:${partition}`;
        const range = ends.get(key);
        if (range && BigInt(message.offset) < range.start) return;
        const tailed: TailedMessage = {
          topic,
          partition,
          offset: message.offset,
          timestamp: Number(message.timestamp),
          key: message.key?.toString('utf8') ?? null,
          headers: decodeHeaders(message.headers),
          value: message.value?.toString('utf8') ?? null,
        };
        if (!options.orderId || orderOf(tailed) === options.orderId) {
          if (options.follow) options.write(formatMessage(tailed));
          else backlog.push(tailed);
          shown++;
        }
        if (range && BigInt(message.offset) + 1n >= range.end) pending.delete(key);
        if (!options.follow && pending.size === 0) finish();
      },
    });
    for (const [key, range] of ends) {
      const [topic, partition] = [
        key.slice(0, key.lastIndexOf(':')),
        Number(key.slice(key.lastIndexOf(':') + 1)),
      ];
      consumer.seek({ topic, partition, offset: range.start.toString() });
    }
    await finished;
    for (const message of backlog.sort((a, b) => a.timestamp - b.timestamp))
      options.write(formatMessage(message));
  } finally {
    await consumer.disconnect();
  }
  return shown;
}
