import { randomUUID } from 'node:crypto';
import type { IHeaders } from 'kafkajs';
import { randomHex } from './random.ts';

/** Topics of DESIGN.md "Events"; each has a `<topic>.dlq` for dead letters. */
export const TOPICS = ['orders', 'inventory', 'payments', 'shipping', 'users', 'catalog'] as const;
export type Topic = (typeof TOPICS)[number];

export function deadLetterTopic(topic: string): string {
  return `${topic}.dlq`;
}

/** What a handler asks to publish: the state change's event, before ids and headers are assigned. */
export interface EventDraft {
  topic: Topic;
  type: string;
  aggregateType: string;
  aggregateId: string;
  payload: Record<string, unknown>;
}

/** Where an event comes from: the request or event that caused it. */
export interface EventContext {
  correlationId: string;
  causationId: string;
  traceparent?: string | undefined;
}

/** An event with its identity and headers, as stored in the outbox and sent to the broker. */
export interface OutgoingEvent {
  id: string;
  topic: string;
  type: string;
  aggregateType: string;
  aggregateId: string;
  payload: Record<string, unknown>;
  headers: Record<string, string>;
  createdAt: Date;
}

/** An event as a consumer received it. */
export interface IncomingEvent {
  id: string;
  type: string;
  topic: string;
  key: string | undefined;
  payload: unknown;
  headers: Record<string, string>;
  partition: number;
  offset: string;
  /** The producer's outbox created_at (the Kafka message timestamp). */
  occurredAt: Date;
}

/** W3C trace context: keep the caller's trace id, start a new span. */
export function childTraceparent(parent: string | undefined): string {
  const traceId = /^00-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/.exec(parent ?? '')?.[1] ?? randomHex(16);
  return `00-${traceId}-${randomHex(8)}-01`;
}

export function buildEvent(draft: EventDraft, context: EventContext, producer: string): OutgoingEvent {
  const id = randomUUID();
  return {
    id,
    topic: draft.topic,
    type: draft.type,
    aggregateType: draft.aggregateType,
    aggregateId: draft.aggregateId,
    payload: draft.payload,
    headers: {
      'event-id': id,
      'event-type': draft.type,
      'correlation-id': context.correlationId,
      'causation-id': context.causationId,
      producer,
      // The context of the span that writes the event (kit/tracing.ts); a new trace when there is none.
      traceparent: context.traceparent ?? childTraceparent(undefined),
    },
    createdAt: new Date(),
  };
}

/** The context for events caused by `event`: same correlation and trace, caused by it. */
export function contextFrom(event: IncomingEvent): EventContext {
  return {
    correlationId: event.headers['correlation-id'] ?? event.key ?? event.id,
    causationId: event.id,
    traceparent: event.headers.traceparent,
  };
}

/** A Kafka message's headers as text (the first value of each). */
export function headerText(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) result[name] = first.toString();
  }
  return result;
}
