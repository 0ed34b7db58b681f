/**
 * Shared by the transaction tests: a transactional kafkajs producer and a consumer that reads a
 * topic from the beginning with a chosen isolation level until a condition holds.
 */
import type { Kafka, Producer } from 'kafkajs';
import { FAST_GROUP, waitFor } from './groups-support.ts';

let readers = 0;

export async function transactionalProducer(
  kafka: Kafka,
  transactionalId: string,
  transactionTimeout = 30_000,
): Promise<Producer> {
  const producer = kafka.producer({
    transactionalId,
    transactionTimeout,
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: true,
  });
  await producer.connect();
  return producer;
}

/** Sends `values` in one transaction, then commits or aborts it. */
export async function inTransaction(
  producer: Producer,
  topic: string,
  values: string[],
  outcome: 'commit' | 'abort',
): Promise<void> {
  const transaction = await producer.transaction();
  await transaction.send({ topic, messages: values.map((value) => ({ key: value, value })) });
  if (outcome === 'commit') await transaction.commit();
  else await transaction.abort();
}

/**
 * Values of `topic` from the beginning, read by a fresh group until `done` holds for them (or
 * `timeoutMs` passes: then what arrived is returned, so absences can be asserted too).
 */
export async function readTopic(
  kafka: Kafka,
  options: {
    topic: string;
    readUncommitted: boolean;
    done: (values: string[]) => boolean;
    timeoutMs?: number;
  },
): Promise<string[]> {
  const consumer = kafka.consumer({
    groupId: `reader-${process.pid}-${readers++}`,
    readUncommitted: options.readUncommitted,
    ...FAST_GROUP,
  });
  const values: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic: options.topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        values.push(message.value?.toString() ?? '');
      },
    });
    await waitFor(
      `values of ${options.topic}`,
      () => options.done(values),
      options.timeoutMs ?? 30_000,
    ).catch(() => undefined);
    return [...values];
  } finally {
    await consumer.disconnect();
  }
}
