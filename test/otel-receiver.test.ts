/**
 * The lab's span receiver against the official OpenTelemetry exporters: spans sent by
 * @opentelemetry/exporter-trace-otlp-http (JSON) and -otlp-proto (protobuf) arrive with their
 * ids, parent links, service, times, attributes and error status; a run's slice keeps whole
 * traces; and the report attaches them to the order they name.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter as JsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { SimpleSpanProcessor, type SpanExporter, TracerProvider } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildOrders } from '../cli/report/build.ts';
import { renderWaterfallSvg } from '../cli/report/components/waterfall.ts';
import {
  type SpanReceiver,
  sliceSpans,
  spansFileEnd,
  startSpanReceiver,
} from '../infra/otel-collector/receiver.ts';
import type { StoredSpan } from '../infra/otel-collector/span.ts';

let dir: string;
let receiver: SpanReceiver;
let file: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'lab-otel-'));
  file = path.join(dir, 'spans.jsonl');
  receiver = await startSpanReceiver({ port: 0, file });
});

afterAll(async () => {
  await receiver?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const stored = (): StoredSpan[] =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as StoredSpan);

async function sendTrace(exporter: SpanExporter, service: string, orderId: string) {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  });
  const tracer = provider.getTracer('lab-test');
  const parent = tracer.startSpan('POST /orders', { kind: 1, attributes: { 'lab.order_id': orderId } });
  const child = tracer.startSpan(
    'inbox duplicate',
    { attributes: { 'lab.mark': 'duplicate skipped', deliveries: 2, ratio: 0.5, replayed: true } },
    trace.setSpan(context.active(), parent),
  );
  child.setStatus({ code: SpanStatusCode.ERROR });
  child.end();
  parent.end();
  await provider.forceFlush();
  await provider.shutdown();
  return {
    traceId: parent.spanContext().traceId,
    parentId: parent.spanContext().spanId,
    childId: child.spanContext().spanId,
  };
}

describe.each([
  ['OTLP/HTTP JSON', (url: string) => new JsonExporter({ url: `${url}/v1/traces` })],
  ['OTLP/HTTP protobuf', (url: string) => new ProtoExporter({ url: `${url}/v1/traces` })],
])('spans from the official %s exporter', (_, exporter) => {
  it('arrive with ids, parent link, service, times, attributes and status', async () => {
    const before = Date.now();
    const orderId = crypto.randomUUID();
    const sent = await sendTrace(exporter(receiver.url), 'order', orderId);
    const spans = stored().filter((span) => span.traceId === sent.traceId);
    expect(spans).toHaveLength(2);
    const parent = spans.find((span) => span.spanId === sent.parentId)!;
    const child = spans.find((span) => span.spanId === sent.childId)!;
    expect(parent).toMatchObject({
      name: 'POST /orders',
      service: 'order',
      kind: 2,
      attributes: { 'lab.order_id': orderId },
    });
    expect(parent.parentSpanId).toBeUndefined();
    expect(child).toMatchObject({
      parentSpanId: sent.parentId,
      error: true,
      attributes: { 'lab.mark': 'duplicate skipped', deliveries: 2, ratio: 0.5, replayed: true },
    });
    expect(parent.startMs).toBeGreaterThanOrEqual(before - 1);
    expect(parent.endMs).toBeGreaterThanOrEqual(parent.startMs);
    expect(parent.endMs).toBeLessThanOrEqual(Date.now() + 1);
  });
});

describe('a run keeps its spans', () => {
  it('slices by time, keeping whole traces, and the report attaches them to their order', async () => {
    const orderId = crypto.randomUUID();
    const from = Date.now();
    const sent = await sendTrace(new JsonExporter({ url: `${receiver.url}/v1/traces` }), 'payment', orderId);
    const slice = sliceSpans(file, from, Date.now());
    expect(new Set(slice.map((span) => span.traceId))).toEqual(new Set([sent.traceId]));
    expect(sliceSpans(file, Date.now() + 60_000, Date.now() + 120_000)).toEqual([]);
    // From where the file ended before this trace: the same slice, without reading what came before.
    const end = spansFileEnd(file);
    const later = await sendTrace(new JsonExporter({ url: `${receiver.url}/v1/traces` }), 'order', orderId);
    const fromEnd = sliceSpans(file, from, Date.now(), end);
    expect(new Set(fromEnd.map((span) => span.traceId))).toEqual(new Set([later.traceId]));
    expect(fromEnd.length).toBeGreaterThan(0);
    // An offset inside a line starts at the next whole line, never a torn one.
    expect(sliceSpans(file, from, Date.now(), end - 5)).toEqual(fromEnd);
    // An offset past the end (the file was replaced since): the whole file, not nothing.
    expect(sliceSpans(file, from, Date.now(), spansFileEnd(file) + 1_000_000)).toEqual(
      sliceSpans(file, from, Date.now()),
    );

    const orders = buildOrders({
      snapshot: {
        capturedAt: new Date().toISOString(),
        scope: {
          customerIds: [],
          products: [],
          initialBalanceCents: 0,
          startedAt: new Date(from).toISOString(),
          duplicatesInjected: false,
        },
        rows: {
          auth: { outbox: [], inbox: [], dead_letters: [] },
          catalog: { outbox: [], inbox: [], dead_letters: [] },
          inventory: { outbox: [], inbox: [], dead_letters: [], stock_units: [] },
          order: {
            outbox: [],
            inbox: [],
            dead_letters: [],
            orders: [
              {
                id: orderId,
                customer_id: 'c',
                status: 'CONFIRMED',
                total_cents: 450,
                reason: null,
                created_at: new Date(from).toISOString(),
                completed_at: null,
              },
            ],
            order_lines: [],
            order_history: [],
          },
          payment: { outbox: [], inbox: [], dead_letters: [], accounts: [], top_ups: [], payments: [] },
          shipping: { outbox: [], inbox: [], dead_letters: [], shipments: [] },
          search: { outbox: [], inbox: [], dead_letters: [] },
        },
      },
      events: [],
      spans: slice,
      toRunMs: (epochMs) => epochMs - from,
    });
    expect(orders[0]!.spans.map((span) => span.name).sort()).toEqual(['POST /orders', 'inbox duplicate']);
    const svg = renderWaterfallSvg(orders[0]!.spans);
    expect(svg).toContain('[duplicate skipped]');
    expect(svg.match(/class="span"/g)).toHaveLength(2);
  });

  it('refuses what is not an OTLP trace export', async () => {
    const wrongPath = await fetch(`${receiver.url}/v1/metrics`, { method: 'POST', body: '{}' });
    expect(wrongPath.status).toBe(404);
    const garbage = await fetch(`${receiver.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: new Uint8Array([0x0a, 0xff, 0xff]),
    });
    expect(garbage.status).toBe(400);
  });
});
