/**
 * Tracing: one OpenTelemetry trace per order, across processes, the outbox and the broker.
 *
 * Pattern: W3C trace context travels with the work itself. A request's `traceparent` header is the
 * parent of the service's server span; the span of the transaction that writes an outbox row puts
 * its own context in the row's `traceparent` header; the relay's publish span is a child of that
 * context and replaces the header with its own on the message; each consumer's handler span is a
 * child of the message's context, and the events its handler emits carry the handler span's
 * context onward. Spans are exported in batches (BatchSpanProcessor, OTLP over HTTP) off the hot
 * path: a span costs an object and a few attributes, never a write of its own.
 *
 * Guarantee: every span of one order's saga (gateway → order → inventory → payment → order →
 * shipping, duplicates skipped by an inbox and dead letters included) has the order's trace id,
 * and its parent is the span that caused it, whatever process, table or topic lies in between.
 *
 * Anomaly prevented: an asynchronous saga seen as unrelated fragments. Without the context in the
 * outbox row and the message, each consumer would start a trace of its own, and a learner could
 * not tell which publish a duplicate came from, or what happened to an order after the relay.
 *
 * Configuration is OpenTelemetry's: OTEL_EXPORTER_OTLP_ENDPOINT or
 * OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (and the exporter's other OTEL_EXPORTER_OTLP_* variables),
 * OTEL_EXPORTER_OTLP_[TRACES_]PROTOCOL (http/protobuf, the default, or http/json),
 * OTEL_TRACES_SAMPLER[_ARG], OTEL_BSP_*, OTEL_RESOURCE_ATTRIBUTES. Tracing is off when no endpoint
 * is given (a service started by hand sends nothing to whatever listens on localhost:4318), with
 * OTEL_SDK_DISABLED=true, OTEL_TRACES_EXPORTER=none or LAB_TRACING=off (the benchmark's baseline).
 * One process, one tracer provider: the last service started in a process names its spans.
 */
import {
  type Attributes,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import { parseTraceParent } from '@opentelemetry/core';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  defaultResource,
  detectResources,
  envDetector,
  resourceFromAttributes,
} from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { contextFrom, type EventContext, type IncomingEvent, type OutgoingEvent } from './events.ts';

export interface Tracing {
  readonly enabled: boolean;
  /** Exports what is still queued, then stops the provider (on a graceful shutdown). */
  shutdown(): Promise<void>;
}

let tracer: Tracer | undefined;

/**
 * Whether `env` asks for spans, and the URL they are posted to (undefined: tracing is off). As the
 * specification says: the signal's own endpoint as it is, the general one with `/v1/traces` added.
 */
export function tracesUrl(env: NodeJS.ProcessEnv): string | undefined {
  const off =
    env.LAB_TRACING === 'off' ||
    env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true' ||
    env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === 'none';
  if (off) return undefined;
  if (env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  const base = env.OTEL_EXPORTER_OTLP_ENDPOINT;
  return base ? `${base.replace(/\/+$/, '')}/v1/traces` : undefined;
}

/** OTEL_TRACES_SAMPLER as the specification defines it; the SDK's default is parentbased_always_on. */
export function samplerFromEnv(env: NodeJS.ProcessEnv): Sampler {
  const ratio = Number(env.OTEL_TRACES_SAMPLER_ARG ?? '1');
  const traceIdRatio = () => new TraceIdRatioBasedSampler(Number.isFinite(ratio) ? ratio : 1);
  switch (env.OTEL_TRACES_SAMPLER?.trim().toLowerCase()) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return traceIdRatio();
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: traceIdRatio() });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

function positiveFromEnv(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const value = Number(env[name]);
  return env[name] !== undefined && Number.isFinite(value) && value > 0 ? value : undefined;
}

/**
 * Sets up the SDK for `service` (the resource's service.name) when `env` asks for it. The URL comes
 * from `env`; the exporter reads its other OTEL_EXPORTER_OTLP_* variables (headers, timeout,
 * compression) from the process environment.
 */
export function startTracing(options: { service: string; env?: NodeJS.ProcessEnv }): Tracing {
  const env = options.env ?? process.env;
  const url = tracesUrl(env);
  if (url === undefined) {
    tracer = undefined;
    return { enabled: false, shutdown: async () => {} };
  }
  const protocol = env.OTEL_EXPORTER_OTLP_TRACES_PROTOCOL ?? env.OTEL_EXPORTER_OTLP_PROTOCOL;
  const exporter = protocol === 'http/json' ? new OtlpJsonExporter({ url }) : new OtlpProtoExporter({ url });
  const batch = {
    scheduledDelayMillis: positiveFromEnv(env, 'OTEL_BSP_SCHEDULE_DELAY') ?? 1000,
    maxQueueSize: positiveFromEnv(env, 'OTEL_BSP_MAX_QUEUE_SIZE') ?? 8192,
    maxExportBatchSize: positiveFromEnv(env, 'OTEL_BSP_MAX_EXPORT_BATCH_SIZE') ?? 1024,
    exportTimeoutMillis: positiveFromEnv(env, 'OTEL_BSP_EXPORT_TIMEOUT') ?? 30_000,
  };
  const provider = new TracerProvider({
    resource: defaultResource()
      .merge(detectResources({ detectors: [envDetector] }))
      .merge(resourceFromAttributes({ 'service.name': options.service })),
    sampler: samplerFromEnv(env),
    spanProcessors: [new BatchSpanProcessor({ exporter, ...batch })],
  });
  tracer = provider.getTracer('lab-kit');
  return {
    enabled: true,
    async shutdown() {
      tracer = undefined;
      await provider.shutdown().catch(() => {});
    },
  };
}

/** The W3C header of a span: its context is what the next hop's span hangs from. */
function traceparentOf(span: Span): string {
  const { traceId, spanId, traceFlags } = span.spanContext();
  return `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, '0')}`;
}

function parentFrom(traceparent: string | undefined) {
  const parent = traceparent ? parseTraceParent(traceparent) : null;
  return parent ? trace.setSpanContext(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
}

function begin(
  active: Tracer,
  name: string,
  options: { parent: string | undefined; kind: SpanKind; attributes: Attributes },
): Span {
  return active.startSpan(
    name,
    { kind: options.kind, attributes: options.attributes },
    parentFrom(options.parent),
  );
}

function failed(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
  span.end();
}

/**
 * `work` inside a span child of `parent`; `work` gets the span's traceparent for what it writes or
 * calls. With tracing off it gets `parent` itself.
 */
export async function inSpan<T>(
  name: string,
  options: { parent: string | undefined; attributes?: Attributes; kind?: SpanKind },
  work: (traceparent: string | undefined) => Promise<T>,
): Promise<T> {
  if (!tracer) return work(options.parent);
  const span = begin(tracer, name, {
    parent: options.parent,
    kind: options.kind ?? SpanKind.INTERNAL,
    attributes: options.attributes ?? {},
  });
  try {
    const result = await work(traceparentOf(span));
    span.end();
    return result;
  } catch (error) {
    failed(span, error);
    throw error;
  }
}

/** A consumer's handling of one event, from before its transaction until it committed. */
export interface HandlingSpan {
  /** The context the handler's events are emitted with: the handler span's trace context. */
  readonly context: EventContext;
  /** Committed; `skipped`: the inbox had seen the event (a duplicate delivery). */
  end(outcome: { skipped: boolean }): void;
  fail(error: unknown): void;
  /** For a promise's `then`: ends the span with the delivery's outcome and passes it on. */
  committed<D extends { apply: boolean }>(delivery: D): D;
  /** For a promise's `then`: ends the span as failed and rethrows. */
  failed(error: unknown): never;
}

function settledBy(
  end: HandlingSpan['end'],
  fail: HandlingSpan['fail'],
): Pick<HandlingSpan, 'committed' | 'failed'> {
  return {
    committed: (delivery) => {
      end({ skipped: !delivery.apply });
      return delivery;
    },
    failed: (error) => {
      fail(error);
      throw error;
    },
  };
}

const UNTRACED: Omit<HandlingSpan, 'context'> = {
  end: () => {},
  fail: () => {},
  ...settledBy(
    () => {},
    () => {},
  ),
};

/** The handler span of `event` for `consumer`: a child of the message's context (the publish span). */
export function handlingSpan(event: IncomingEvent, consumer: string): HandlingSpan {
  const context = contextFrom(event);
  if (!tracer) return { context, ...UNTRACED };
  const span = begin(tracer, `handle ${event.type}`, {
    parent: context.traceparent,
    kind: SpanKind.CONSUMER,
    attributes: {
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.name': event.topic,
      'messaging.destination.partition.id': String(event.partition),
      'messaging.consumer.group.name': consumer,
      'messaging.message.id': event.id,
      'messaging.kafka.offset': Number(event.offset),
      'lab.order_id': context.correlationId,
      'lab.event_type': event.type,
    },
  });
  const end: HandlingSpan['end'] = ({ skipped }) => {
    if (skipped) {
      span.updateName(`duplicate skipped ${event.type}`);
      // lab.mark: what the report's waterfall and `lab trace` flag on a span.
      span.setAttributes({ 'lab.duplicate': true, 'lab.mark': 'duplicate' });
    }
    span.end();
  };
  const fail: HandlingSpan['fail'] = (error) => failed(span, error);
  return { context: { ...context, traceparent: traceparentOf(span) }, end, fail, ...settledBy(end, fail) };
}

/** A message given up on (kit/dead-letter.ts): a span in the trace of the message, marked as such. */
export function traceDeadLetter(options: {
  consumer: string;
  topic: string;
  headers: Record<string, string>;
  reason: string;
  attempts: number;
}): void {
  if (!tracer) return;
  const { consumer, topic, headers, reason, attempts } = options;
  const type = headers['event-type'] ?? 'message';
  const span = begin(tracer, `dead letter ${type}`, {
    parent: headers.traceparent,
    kind: SpanKind.CONSUMER,
    attributes: {
      'messaging.system': 'kafka',
      'messaging.operation.type': 'process',
      'messaging.destination.name': topic,
      'messaging.consumer.group.name': consumer,
      ...(headers['event-id'] ? { 'messaging.message.id': headers['event-id'] } : {}),
      ...(headers['correlation-id'] ? { 'lab.order_id': headers['correlation-id'] } : {}),
      'lab.event_type': type,
      'lab.dead_letter': true,
      'lab.mark': 'dead letter',
      'lab.attempts': attempts,
      'error.type': reason.split(':')[0] ?? 'error',
    },
  });
  failed(span, new Error(reason));
}

type Publish = (events: OutgoingEvent[]) => Promise<void>;

/**
 * The relay's (and the dual write's) publish with a producer span per message, child of the
 * context the outbox row carries; the message carries the publish span's context instead, so a
 * consumer's span hangs from the publish that delivered it. A child rather than a link: the tree
 * stays connected from the request to the last handler, and each copy the duplicate fault sends
 * is its own publish span, the parent of the delivery the inbox skips.
 */
export function tracedPublish(publish: Publish): Publish {
  return async (events) => {
    const active = tracer;
    if (!active || events.length === 0) return publish(events);
    const seen = new Set<string>();
    const spans: Span[] = [];
    const sent = events.map((event) => {
      const copy = seen.has(event.id);
      seen.add(event.id);
      const span = begin(active, `publish ${event.type}`, {
        parent: event.headers.traceparent,
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': 'kafka',
          'messaging.operation.type': 'send',
          'messaging.destination.name': event.topic,
          'messaging.message.id': event.id,
          ...(event.headers['correlation-id'] ? { 'lab.order_id': event.headers['correlation-id'] } : {}),
          'lab.event_type': event.type,
          ...(copy ? { 'lab.duplicate_copy': true } : {}),
        },
      });
      spans.push(span);
      return { ...event, headers: { ...event.headers, traceparent: traceparentOf(span) } };
    });
    try {
      await publish(sent);
    } catch (error) {
      for (const span of spans) failed(span, error);
      throw error;
    }
    for (const span of spans) span.end();
  };
}

const serverSpans = new WeakMap<FastifyRequest, Span>();

/** Routes that are polled, not part of any saga: no span. */
const UNTRACED_ROUTES = /^\/(health|metrics|admin)(\/|$)/;

/** A server span per request (but health, metrics and fault hooks), child of its `traceparent` header. */
export function traceRequests(app: FastifyInstance): void {
  app.addHook('onRequest', async (request: FastifyRequest) => {
    const active = tracer;
    const route = request.routeOptions.url;
    if (!active || route === undefined || UNTRACED_ROUTES.test(route)) return;
    const header = request.headers.traceparent;
    const span = begin(active, `${request.method} ${route}`, {
      parent: typeof header === 'string' ? header : undefined,
      kind: SpanKind.SERVER,
      attributes: { 'http.request.method': request.method, 'http.route': route },
    });
    serverSpans.set(request, span);
  });
  app.addHook('onResponse', async (request: FastifyRequest, reply: FastifyReply) => {
    const span = serverSpans.get(request);
    if (!span) return;
    span.setAttribute('http.response.status_code', reply.statusCode);
    if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end();
  });
}

/** The traceparent of the request's server span: the parent of what the request writes or calls. */
export function requestTraceparent(request: FastifyRequest): string | undefined {
  const span = serverSpans.get(request);
  if (span) return traceparentOf(span);
  const header = request.headers.traceparent;
  return typeof header === 'string' ? header : undefined;
}

/** Adds attributes to the request's server span (e.g. the order id, known once it is placed). */
export function annotateRequest(request: FastifyRequest, attributes: Attributes): void {
  serverSpans.get(request)?.setAttributes(attributes);
}

export { SpanKind };
