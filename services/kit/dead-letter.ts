/**
 * The dead-letter path both kits' consumers share: a message given up on is kept, byte for byte,
 * on `<topic>.dlq` and in the `dead_letters` table, so the partition can move on and nothing is
 * silently dropped (the `dlq_accounted` view of a run).
 */
import type { KafkaMessage } from 'kafkajs';
import type { Bus } from './bus.ts';
import type { Pool } from './db.ts';
import { deadLetterTopic, headerText } from './events.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import { retry, UNTIL_IT_WORKS } from './retry.ts';
import { traceDeadLetter } from './tracing.ts';

/** Where a message came from and what its dead letter needs. */
export interface DeliveredMessage {
  group: string;
  bus: Bus;
  pool: Pool;
  topic: string;
  partition: number;
  message: KafkaMessage;
  metrics?: Metrics | undefined;
  log: Logger;
  /** True once the consumer is stopping: give up without dead-lettering. */
  stopped: () => boolean;
}

/**
 * Sends a message to `<topic>.dlq` and records it in `dead_letters`. Both must happen before the
 * offset moves on, so this waits while the broker or database is away (until `stopped()`).
 */
export async function deadLetter(
  options: DeliveredMessage & { error: unknown; attempts: number },
): Promise<void> {
  const { group, bus, pool, topic, partition, message, error, attempts, metrics, log } = options;
  const headers = headerText(message.headers);
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  log.error(
    { topic, partition, offset: message.offset, error: reason, attempts },
    'dead-lettering a message',
  );
  await retry(
    async () => {
      await bus.sendRaw(deadLetterTopic(topic), [
        {
          key: message.key,
          value: message.value,
          headers: {
            ...headers,
            error: reason.slice(0, 1000),
            attempts: String(attempts),
            'original-topic': topic,
            'original-partition': String(partition),
            'original-offset': message.offset,
            consumer: group,
          },
        },
      ]);
      await pool.query(
        `INSERT INTO dead_letters (consumer, topic, partition, "offset", event_id, event_type, key, error, attempts, value)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          group,
          topic,
          partition,
          message.offset,
          storableText(headers['event-id']),
          storableText(headers['event-type']),
          message.key ?? null,
          storableText(reason),
          attempts,
          message.value ?? null,
        ],
      );
    },
    {
      ...UNTIL_IT_WORKS,
      stopped: options.stopped,
      onRetry: ({ error: failure }) => log.warn({ err: failure }, 'dead-lettering failed, retrying'),
    },
  );
  metrics?.deadLetters.inc({ topic });
  traceDeadLetter({ consumer: group, topic, headers, reason, attempts });
}

/** PostgreSQL text cannot hold NUL; poison headers and errors quoting it may carry one. */
function storableText(text: string | undefined): string | null {
  return text === undefined ? null : text.replaceAll('\u0000', '\uFFFD');
}
