/**
 * One span as the lab stores it (traces.jsonl, one JSON object per line): OTLP's span flattened,
 * ids as lowercase hex, times as epoch milliseconds, the resource's service.name as `service`.
 */
export interface StoredSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  service: string;
  /** OTLP SpanKind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startMs: number;
  endMs: number;
  /** Status code ERROR. */
  error?: boolean;
  attributes?: Record<string, string | number | boolean>;
}
