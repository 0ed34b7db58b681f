/**
 * Decoding OTLP trace exports (ExportTraceServiceRequest, opentelemetry-proto trace/v1) in both
 * encodings OTLP/HTTP allows: JSON (ids hex, times as decimal strings) and binary protobuf. Only
 * the fields the lab stores are read; unknown fields are skipped, as protobuf requires.
 */
import type { StoredSpan } from './span.ts';

type AttributeValue = string | number | boolean;

// ---- protobuf wire format (varint, 64-bit, length-delimited, 32-bit) ----

class Reader {
  offset = 0;
  readonly bytes: Uint8Array;
  constructor(bytes: Uint8Array) {
    this.bytes = bytes;
  }
  get done(): boolean {
    return this.offset >= this.bytes.length;
  }
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      if (this.offset >= this.bytes.length) throw new Error('truncated varint');
      const byte = this.bytes[this.offset++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  }
  fixed64(): DataView {
    const view = new DataView(this.bytes.buffer, this.bytes.byteOffset + this.offset, 8);
    this.offset += 8;
    return view;
  }
  bytesField(): Uint8Array {
    const length = Number(this.varint());
    const slice = this.bytes.subarray(this.offset, this.offset + length);
    if (slice.length !== length) throw new Error('truncated field');
    this.offset += length;
    return slice;
  }
  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.offset += 8;
    else if (wireType === 2) this.bytesField();
    else if (wireType === 5) this.offset += 4;
    else throw new Error(`unsupported wire type ${wireType}`);
  }
  /** Calls `field` for each (number, wire type) in the message; `field` reads or returns false to skip. */
  each(field: (number: number, wireType: number) => boolean): void {
    while (!this.done) {
      const key = Number(this.varint());
      const wireType = key & 7;
      if (!field(key >>> 3, wireType)) this.skip(wireType);
    }
  }
}

const text = new TextDecoder();
const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

function anyValue(reader: Reader): AttributeValue | undefined {
  let value: AttributeValue | undefined;
  reader.each((number, wireType) => {
    if (number === 1 && wireType === 2) value = text.decode(reader.bytesField());
    else if (number === 2 && wireType === 0) value = reader.varint() !== 0n;
    else if (number === 3 && wireType === 0) value = Number(BigInt.asIntN(64, reader.varint()));
    else if (number === 4 && wireType === 1) value = reader.fixed64().getFloat64(0, true);
    else return false;
    return true;
  });
  return value;
}

function keyValue(reader: Reader): [string, AttributeValue | undefined] {
  let key = '';
  let value: AttributeValue | undefined;
  reader.each((number, wireType) => {
    if (number === 1 && wireType === 2) key = text.decode(reader.bytesField());
    else if (number === 2 && wireType === 2) value = anyValue(new Reader(reader.bytesField()));
    else return false;
    return true;
  });
  return [key, value];
}

function attributesInto(
  target: Record<string, AttributeValue>,
  [key, value]: [string, AttributeValue | undefined],
) {
  if (key && value !== undefined) target[key] = value;
}

function protoSpan(reader: Reader, service: string): StoredSpan {
  const span: StoredSpan = { traceId: '', spanId: '', name: '', service, kind: 0, startMs: 0, endMs: 0 };
  const attributes: Record<string, AttributeValue> = {};
  reader.each((number, wireType) => {
    if (number === 1 && wireType === 2) span.traceId = hex(reader.bytesField());
    else if (number === 2 && wireType === 2) span.spanId = hex(reader.bytesField());
    else if (number === 4 && wireType === 2) {
      const parent = hex(reader.bytesField());
      if (parent) span.parentSpanId = parent;
    } else if (number === 5 && wireType === 2) span.name = text.decode(reader.bytesField());
    else if (number === 6 && wireType === 0) span.kind = Number(reader.varint());
    else if (number === 7 && wireType === 1)
      span.startMs = Number(reader.fixed64().getBigUint64(0, true)) / 1e6;
    else if (number === 8 && wireType === 1)
      span.endMs = Number(reader.fixed64().getBigUint64(0, true)) / 1e6;
    else if (number === 9 && wireType === 2)
      attributesInto(attributes, keyValue(new Reader(reader.bytesField())));
    else if (number === 15 && wireType === 2) {
      const status = new Reader(reader.bytesField());
      status.each((field, type) => {
        if (field === 3 && type === 0) {
          if (Number(status.varint()) === 2) span.error = true;
          return true;
        }
        return false;
      });
    } else return false;
    return true;
  });
  if (Object.keys(attributes).length > 0) span.attributes = attributes;
  return span;
}

/** Spans of a binary (application/x-protobuf) ExportTraceServiceRequest. */
export function decodeProtobufTraces(body: Uint8Array): StoredSpan[] {
  const spans: StoredSpan[] = [];
  // Two passes over each ResourceSpans: the resource (service.name) may follow its spans.
  const request = new Reader(body);
  request.each((number, wireType) => {
    if (number !== 1 || wireType !== 2) return false;
    const bytes = request.bytesField();
    const resource: Record<string, AttributeValue> = {};
    const scopes: Uint8Array[] = [];
    const resourceSpans = new Reader(bytes);
    resourceSpans.each((field, type) => {
      if (field === 1 && type === 2) {
        const resourceReader = new Reader(resourceSpans.bytesField());
        resourceReader.each((attribute, attributeType) => {
          if (attribute !== 1 || attributeType !== 2) return false;
          attributesInto(resource, keyValue(new Reader(resourceReader.bytesField())));
          return true;
        });
      } else if (field === 2 && type === 2) scopes.push(resourceSpans.bytesField());
      else return false;
      return true;
    });
    const service = String(resource['service.name'] ?? 'unknown');
    for (const scope of scopes) {
      const scopeReader = new Reader(scope);
      scopeReader.each((field, type) => {
        if (field !== 2 || type !== 2) return false;
        spans.push(protoSpan(new Reader(scopeReader.bytesField()), service));
        return true;
      });
    }
    return true;
  });
  return spans;
}

// ---- OTLP/JSON ----

interface JsonAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
}
interface JsonKeyValue {
  key: string;
  value?: JsonAnyValue;
}
interface JsonSpan {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  kind?: number;
  startTimeUnixNano?: string | number;
  endTimeUnixNano?: string | number;
  attributes?: JsonKeyValue[];
  status?: { code?: number };
}
interface JsonTraces {
  resourceSpans?: Array<{
    resource?: { attributes?: JsonKeyValue[] };
    scopeSpans?: Array<{ spans?: JsonSpan[] }>;
  }>;
}

function jsonValue(value: JsonAnyValue | undefined): AttributeValue | undefined {
  if (!value) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  return undefined;
}

function jsonAttributes(list: JsonKeyValue[] | undefined): Record<string, AttributeValue> {
  const attributes: Record<string, AttributeValue> = {};
  for (const entry of list ?? []) attributesInto(attributes, [entry.key, jsonValue(entry.value)]);
  return attributes;
}

/** OTLP/JSON ids are hex; some exporters send base64 (protobuf's JSON mapping of bytes). */
function jsonId(id: string | undefined, bytes: number): string {
  if (!id) return '';
  if (new RegExp(`^[0-9a-fA-F]{${bytes * 2}}$`).test(id)) return id.toLowerCase();
  return Buffer.from(id, 'base64').toString('hex');
}

/** Nanoseconds since the epoch (a decimal string, beyond 2^53) as milliseconds. */
function nanosToMs(value: string | number | undefined): number {
  if (value === undefined) return 0;
  return Number(BigInt(String(value)) / 1000n) / 1000;
}

/** Spans of an OTLP/JSON (application/json) ExportTraceServiceRequest. */
export function decodeJsonTraces(body: string): StoredSpan[] {
  const request = JSON.parse(body) as JsonTraces;
  const spans: StoredSpan[] = [];
  for (const resourceSpans of request.resourceSpans ?? []) {
    const service = String(jsonAttributes(resourceSpans.resource?.attributes)['service.name'] ?? 'unknown');
    for (const scope of resourceSpans.scopeSpans ?? [])
      for (const span of scope.spans ?? []) {
        const attributes = jsonAttributes(span.attributes);
        const parent = jsonId(span.parentSpanId, 8);
        spans.push({
          traceId: jsonId(span.traceId, 16),
          spanId: jsonId(span.spanId, 8),
          ...(parent ? { parentSpanId: parent } : {}),
          name: span.name ?? '',
          service,
          kind: span.kind ?? 0,
          startMs: nanosToMs(span.startTimeUnixNano),
          endMs: nanosToMs(span.endTimeUnixNano),
          ...(span.status?.code === 2 ? { error: true } : {}),
          ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
        });
      }
  }
  return spans;
}
