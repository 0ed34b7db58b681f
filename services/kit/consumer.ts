/**
 * Consumer with inbox, bounded retries and a dead-letter topic.
 *
 * Pattern: for each message of a partition, in order: parse it, then in ONE database transaction
 * record it in the inbox (inbox.ts) and run its handler, whose events go to the outbox
 * (outbox.ts); commit; only then does the message's offset count as consumed (kafkajs commits it
 * to the consumer group shortly after). A handler that
 * fails is retried a bounded number of times; then the message goes to `<topic>.dlq` and to the
 * `dead_letters` table, and the partition moves on.
 *
 * Guarantee: every message is handled (its effects applied exactly once, with the inbox) or
 * dead-lettered, never silently dropped; one partition's messages (one aggregate's events) are
 * handled in log order.
 *
 * Anomalies prevented: a lost event (an offset committed before its effects: a crash in between
 * skips them for good) and a stuck partition (one poison message retried forever holds back every
 * event behind it). A database that is away is different: the message is fine, the world is not,
 * so it is waited out (DatabaseUnavailableError, transient SQLSTATEs) without spending a retry.
 */
import type { Consumer, EachMessagePayload } from 'kafkajs';
import type { Bus } from './bus.ts';
import { RecoveringConsumer } from './consumer-recovery.ts';
import type { Pool, PoolClient } from './db.ts';
import { type DeliveredMessage, deadLetter } from './dead-letter.ts';
import { headerText, type IncomingEvent, type Topic } from './events.ts';
import { recordDelivery } from './inbox.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import type { EventWriter, Tx } from './outbox.ts';
import { isTransientDatabaseError, type RetryPolicy, retry } from './retry.ts';
import { handlingSpan } from './tracing.ts';

/** Handles one event in the transaction `tx`: its state changes and the events it emits. */
export type EventHandler = (tx: Tx, event: IncomingEvent, log: Logger) => Promise<void>;

/** topic → event type → handler. Types without a handler are acknowledged without effect. */
export type HandlerMap = Partial<Record<Topic, Record<string, EventHandler>>>;

/** A service's own record of each event it applies, in the handler's transaction (the order's history). */
export type RecordReceived = (client: PoolClient, event: IncomingEvent, log: Logger) => Promise<void>;

/** A message that can never be handled as it is (bad JSON, missing headers, wrong payload). */
export class PoisonMessageError extends Error {
  override name = 'PoisonMessageError';
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseMessage(
  payload: Pick<EachMessagePayload, 'topic' | 'partition' | 'message'>,
): IncomingEvent {
  const { topic, partition, message } = payload;
  const headers = headerText(message.headers);
  const id = headers['event-id'];
  const type = headers['event-type'];
  if (!id || !UUID.test(id)) throw new PoisonMessageError('missing or malformed event-id header');
  if (!type) throw new PoisonMessageError('missing event-type header');
  let value: unknown;
  try {
    value = JSON.parse(message.value?.toString() ?? '');
  } catch {
    throw new PoisonMessageError('value is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new PoisonMessageError('value is not a JSON object');
  return {
    id,
    type,
    topic,
    key: message.key?.toString(),
    payload: value,
    headers,
    partition,
    offset: message.offset,
    occurredAt: new Date(Number(message.timestamp)),
  };
}

/** Backoff between a failed handler's attempts (their number is the consumer's `maxAttempts`). */
const HANDLER_RETRY: Omit<RetryPolicy, 'retries'> = { initialRetryTime: 50, maxRetryTime: 1000 };

/**
 * Handles one message with bounded retries: `apply` is attempted `maxAttempts` times (a transient
 * database failure is waited out without spending one, a poison message is not), then the message
 * is dead-lettered. Stopping rethrows instead: the offset is not committed, so the partition's next
 * owner gets the message again.
 */
export async function retryThenDeadLetter(
  options: DeliveredMessage & {
    maxAttempts: number;
    apply: () => Promise<void>;
    heartbeat: () => Promise<void>;
  },
): Promise<void> {
  const { topic, message, maxAttempts, apply, heartbeat, metrics, log, stopped } = options;
  let attempts = 0;
  try {
    await retry(
      () => {
        attempts += 1;
        return apply();
      },
      {
        ...HANDLER_RETRY,
        retries: maxAttempts - 1,
        waitOut: (error) => !(error instanceof PoisonMessageError) && isTransientDatabaseError(error),
        stopped,
        onRetry: ({ error }) => {
          if (isTransientDatabaseError(error))
            log.warn({ err: error, topic, offset: message.offset }, 'consumer: transient failure, waiting');
          else metrics?.consumerRetries.inc({ topic });
          void heartbeat().catch(() => {});
        },
      },
    );
  } catch (error) {
    if (stopped()) throw error;
    metrics?.consumerRetries.inc({ topic });
    await deadLetter({ ...options, error, attempts });
  }
}

export interface EventConsumerOptions {
  /** Consumer group and inbox consumer name: the service name. */
  group: string;
  bus: Bus;
  pool: Pool;
  writer: EventWriter;
  handlers: HandlerMap;
  recordReceived?: RecordReceived | undefined;
  /** False with `--without inbox`. */
  dedup: boolean;
  /** Attempts of a failing handler before its message is dead-lettered. */
  maxAttempts: number;
  metrics?: Metrics | undefined;
  log: Logger;
}

export class EventConsumer extends RecoveringConsumer {
  readonly #options: EventConsumerOptions;

  constructor(options: EventConsumerOptions) {
    super(options);
    this.#options = options;
  }

  protected async run(consumer: Consumer): Promise<void> {
    await consumer.subscribe({ topics: Object.keys(this.#options.handlers), fromBeginning: true });
    await consumer.run({
      // Partitions are independent: each goes on at its own pace, its own messages one at a time.
      partitionsConsumedConcurrently: 16,
      // kafkajs resolves a message's offset only once `eachMessage` has returned, that is after its
      // transaction committed (or it was dead-lettered), and commits resolved offsets every 500 ms:
      // a crash loses at most the commits of that interval, which are delivered again and skipped
      // by the inbox. One OffsetCommit per message would double the consumer's broker traffic.
      autoCommit: true,
      autoCommitInterval: 500,
      eachMessage: (payload) => this.#handle(payload),
    });
  }

  #handle({ topic, partition, message, heartbeat }: EachMessagePayload): Promise<void> {
    const { group, bus, pool, maxAttempts, metrics, log } = this.#options;
    return retryThenDeadLetter({
      ...{ group, bus, pool, topic, partition, message, maxAttempts, heartbeat, metrics, log },
      apply: () => this.#apply(parseMessage({ topic, partition, message })),
      stopped: () => this.stopping,
    });
  }

  /** The inbox row and the handler's effects: one transaction. */
  async #apply(event: IncomingEvent): Promise<void> {
    const { group, writer, handlers, recordReceived, dedup, metrics } = this.#options;
    const handler = handlers[event.topic as Topic]?.[event.type];
    if (!handler) return;
    const log = this.#options.log.child({
      correlationId: event.headers['correlation-id'],
      eventId: event.id,
      eventType: event.type,
    });
    const span = handlingSpan(event, group);
    const delivery = await writer
      .transaction(span.context, async (tx) => {
        const seen = await recordDelivery(tx.client, { consumer: group, event, dedup });
        if (!seen.apply) return seen;
        await recordReceived?.(tx.client, event, log);
        await handler(tx, event, log);
        return seen;
      })
      .then(span.committed, span.failed);
    metrics?.consumerBatchEvents.observe(1);
    if (!delivery.apply) {
      metrics?.inboxDuplicatesSkipped.inc({ consumer: group, topic: event.topic });
      log.info({ deliveries: delivery.deliveries }, 'duplicate skipped by the inbox');
      return;
    }
    if (delivery.duplicate) metrics?.eventsAppliedTwice.inc();
    metrics?.eventsConsumed.inc({ topic: event.topic, type: event.type });
  }
}
