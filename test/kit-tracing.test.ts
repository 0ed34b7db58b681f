/**
 * kit/tracing.ts against the lab's real span receiver over OTLP/HTTP (protobuf and JSON): the
 * standard configuration, and the parent links each hop makes (request → transaction → outbox
 * header → publish → handler → its events), duplicates and dead letters marked.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredSpan } from '../infra/otel-collector/span.ts';
import { buildEvent, type IncomingEvent, type OutgoingEvent } from '../services/kit/events.ts';
import {
  handlingSpan,
  inSpan,
  samplerFromEnv,
  startTracing,
  traceDeadLetter,
  tracedPublish,
  tracesUrl,
} from '../services/kit/tracing.ts';
import { collectSpans, type SpanCollector } from './span-collector.ts';

const ORDER = '6f1c3a52-8f0e-4c59-9a51-0d7d2f3b9c11';

let receiver: SpanCollector;
let received: StoredSpan[];

beforeAll(async () => {
  receiver = await collectSpans();
  received = receiver.spans;
});

afterAll(async () => {
  await receiver.close();
});

/** What a consumer receives for `event` as the broker delivered it. */
function delivered(event: OutgoingEvent, offset: number): IncomingEvent {
  return {
    id: event.id,
    type: event.type,
    topic: event.topic,
    key: event.aggregateId,
    payload: event.payload,
    headers: event.headers,
    partition: 0,
    offset: String(offset),
    occurredAt: event.createdAt,
  };
}

describe('configuration', () => {
  it('is on only with an endpoint, and off by any of the standard switches', () => {
    expect(tracesUrl({})).toBeUndefined();
    expect(tracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318/' })).toBe('http://c:4318/v1/traces');
    expect(
      tracesUrl({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318',
        OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://t:9999/spans',
      }),
    ).toBe('http://t:9999/spans');
    for (const off of [
      { LAB_TRACING: 'off' },
      { OTEL_SDK_DISABLED: 'TRUE' },
      { OTEL_TRACES_EXPORTER: 'none' },
    ])
      expect(tracesUrl({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', ...off }), JSON.stringify(off)).toBe(
        undefined,
      );
    const disabled = startTracing({ service: 'x', env: { LAB_TRACING: 'off' } });
    expect(disabled.enabled).toBe(false);
  });

  it('OTEL_TRACES_SAMPLER as the specification names them', () => {
    expect(samplerFromEnv({}).toString()).toMatch(/ParentBased\{root=AlwaysOnSampler/);
    expect(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'always_off' }).toString()).toBe('AlwaysOffSampler');
    expect(
      samplerFromEnv({
        OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
        OTEL_TRACES_SAMPLER_ARG: '0.25',
      }).toString(),
    ).toMatch(/root=TraceIdRatioBased\{0\.25\}/);
  });
});

describe.each(['http/protobuf', 'http/json'])('spans exported over %s', (protocol) => {
  it('links request, outbox row, publish and handler; marks duplicates and dead letters', async () => {
    received.length = 0;
    const tracing = startTracing({
      service: 'order',
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: protocol },
    });
    expect(tracing.enabled).toBe(true);
    const sent: OutgoingEvent[][] = [];
    const publish = tracedPublish(async (events) => {
      sent.push(events);
    });
    // The transaction span writes the row: its header carries that span's context.
    const placed = await inSpan(
      'place order',
      { parent: undefined, attributes: { 'lab.order_id': ORDER } },
      async (traceparent) =>
        buildEvent(
          {
            topic: 'orders',
            type: 'OrderPlaced',
            aggregateType: 'order',
            aggregateId: ORDER,
            payload: { order_id: ORDER },
          },
          { correlationId: ORDER, causationId: 'request', traceparent },
          'order',
        ),
    );
    // The relay publishes it, and the duplicate hook a copy.
    await publish([placed, placed]);
    const [original, copy] = sent[0]!;
    expect(original!.headers.traceparent).not.toBe(placed.headers.traceparent);
    expect(copy!.headers.traceparent).not.toBe(original!.headers.traceparent);
    expect(placed.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);

    const applied = handlingSpan(delivered(original!, 0), 'inventory');
    const reserved = buildEvent(
      { topic: 'inventory', type: 'StockReserved', aggregateType: 'order', aggregateId: ORDER, payload: {} },
      applied.context,
      'inventory',
    );
    applied.committed({ apply: true });
    handlingSpan(delivered(copy!, 1), 'inventory').committed({ apply: false });
    traceDeadLetter({
      consumer: 'payment',
      topic: 'inventory',
      headers: reserved.headers,
      reason: 'Error: handler failed',
      attempts: 3,
    });
    await tracing.shutdown();

    const byName = (name: string) => received.filter((span) => span.name === name);
    const [transaction] = byName('place order');
    const publishes = byName('publish OrderPlaced');
    const [handled] = byName('handle OrderPlaced');
    const [skipped] = byName('duplicate skipped OrderPlaced');
    const [dead] = byName('dead letter StockReserved');
    expect(new Set(received.map((span) => span.traceId)).size).toBe(1);
    expect(new Set(received.map((span) => span.service))).toEqual(new Set(['order']));
    expect(publishes.map((span) => span.parentSpanId)).toEqual([transaction!.spanId, transaction!.spanId]);
    expect(publishes.map((span) => span.attributes?.['lab.duplicate_copy'] ?? false)).toEqual([false, true]);
    expect(handled).toMatchObject({
      kind: 5,
      parentSpanId: publishes[0]!.spanId,
      attributes: {
        'lab.order_id': ORDER,
        'lab.event_type': 'OrderPlaced',
        'messaging.consumer.group.name': 'inventory',
        'messaging.destination.name': 'orders',
      },
    });
    expect(skipped).toMatchObject({
      parentSpanId: publishes[1]!.spanId,
      attributes: { 'lab.duplicate': true, 'lab.mark': 'duplicate' },
    });
    // The handler's own event carries the handler span onward.
    expect(reserved.headers.traceparent).toContain(handled!.spanId);
    expect(dead).toMatchObject({
      parentSpanId: handled!.spanId,
      error: true,
      attributes: { 'lab.dead_letter': true, 'lab.attempts': 3, 'messaging.consumer.group.name': 'payment' },
    });
  });
});
