/**
 * The lab's span receiver: an OTLP/HTTP endpoint (POST /v1/traces, JSON or protobuf, gzip
 * accepted) that appends every span it receives to a JSON-lines file (span.ts). Services export
 * to it with the standard OTEL_EXPORTER_OTLP_ENDPOINT=http://host:port; a run then keeps the
 * spans of its own time window (sliceSpans) as traces.jsonl.
 */
import {
  appendFileSync,
  closeSync,
  existsSync,
  fstatSync,
  openSync,
  readFileSync,
  readSync,
  statSync,
} from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { decodeJsonTraces, decodeProtobufTraces } from './otlp.ts';
import type { StoredSpan } from './span.ts';

export interface SpanReceiverOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Appended to, one span per line. */
  file: string;
  /** Called with each export's spans after they are stored (tests, live views). */
  onSpans?(spans: StoredSpan[]): void;
}

export interface SpanReceiver {
  /** The base URL for OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Exports above this are refused (413), as a collector would: a runaway exporter cannot fill the disk. */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

function readBody(request: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(Object.assign(new Error('export too large'), { status: 413 }));
        request.destroy();
      } else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

export async function startSpanReceiver(options: SpanReceiverOptions): Promise<SpanReceiver> {
  const server = http.createServer(async (request, response) => {
    if (request.method !== 'POST' || request.url?.split('?')[0] !== '/v1/traces') {
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"POST /v1/traces only"}');
      return;
    }
    const type = String(request.headers['content-type'] ?? '');
    const protobuf = type.includes('protobuf');
    try {
      let body = await readBody(request);
      if (request.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const spans = protobuf ? decodeProtobufTraces(body) : decodeJsonTraces(body.toString('utf8'));
      if (spans.length > 0)
        appendFileSync(options.file, spans.map((span) => `${JSON.stringify(span)}\n`).join(''));
      options.onSpans?.(spans);
      // An empty ExportTraceServiceResponse: full success.
      if (protobuf) response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      else response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    } catch (error) {
      const status = (error as { status?: number }).status ?? 400;
      response
        .writeHead(status, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: (error as Error).message }));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function parsedLines(lines: string[]): StoredSpan[] {
  return lines.flatMap((line) => {
    try {
      return [JSON.parse(line) as StoredSpan];
    } catch {
      return []; // a line cut short by a crash mid-append
    }
  });
}

/**
 * The spans of the traces one of whose spans mentions `needle` (an order id: a live view of one
 * order). Only the lines that name it or those traces are parsed, not the whole file.
 */
export function spansMentioning(file: string, needle: string): StoredSpan[] {
  if (!existsSync(file) || needle === '') return [];
  const lines = readFileSync(file, 'utf8').split('\n');
  const traces = [
    ...new Set(parsedLines(lines.filter((line) => line.includes(needle))).map((span) => span.traceId)),
  ];
  if (traces.length === 0) return [];
  const keys = traces.map((traceId) => `"traceId":"${traceId}"`);
  return parsedLines(lines.filter((line) => keys.some((key) => line.includes(key))));
}

/** Where the file ends now: a run's slice starts reading there (sliceSpans' `fromByte`). */
export function spansFileEnd(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/** The file's lines from byte `fromByte` on, from the first whole line there (all of a shorter file: it was replaced). */
function linesFrom(file: string, fromByte: number): string[] {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (fromByte <= 0 || fromByte > size) return readFileSync(fd, 'utf8').split('\n');
    const start = fromByte - 1; // the byte before: a newline there means a whole line starts here
    const text = Buffer.alloc(size - start);
    readSync(fd, text, 0, text.length, start);
    const lines = text.toString('utf8').split('\n');
    lines.shift();
    return lines;
  } finally {
    closeSync(fd);
  }
}

/**
 * The spans of one run: those that started within [fromMs, toMs] (epoch ms), and every other span
 * of the traces they belong to (a trace that began just before the run is kept whole, if its
 * spans are after `fromByte`). `fromByte`, where the file ended when the run began, spares a
 * long-lived stack's earlier runs from being read again.
 */
export function sliceSpans(file: string, fromMs: number, toMs: number, fromByte = 0): StoredSpan[] {
  if (!existsSync(file)) return [];
  const all = parsedLines(linesFrom(file, fromByte).filter((line) => line !== ''));
  const traces = new Set(
    all.filter((span) => span.startMs >= fromMs && span.startMs <= toMs).map((span) => span.traceId),
  );
  return all.filter((span) => traces.has(span.traceId));
}
