/** The lab's span receiver for a test: every span it receives, in memory, in arrival order. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startSpanReceiver } from '../infra/otel-collector/receiver.ts';
import type { StoredSpan } from '../infra/otel-collector/span.ts';

export interface SpanCollector {
  /** The base URL for OTEL_EXPORTER_OTLP_ENDPOINT. */
  url: string;
  spans: StoredSpan[];
  close(): Promise<void>;
}

export async function collectSpans(): Promise<SpanCollector> {
  const dir = mkdtempSync(path.join(tmpdir(), 'lab-spans-'));
  const spans: StoredSpan[] = [];
  const receiver = await startSpanReceiver({
    port: 0,
    file: path.join(dir, 'spans.jsonl'),
    onSpans: (received) => spans.push(...received),
  });
  return {
    url: receiver.url,
    spans,
    async close() {
      await receiver.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
