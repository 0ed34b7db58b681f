/**
 * Runs the span receiver standalone:
 *   node infra/otel-collector/main.ts [--port 4318] [--host 127.0.0.1] --out <spans.jsonl>
 * Prints `listening <url>` once ready; SIGTERM/SIGINT close it.
 */
import { parseArgs } from 'node:util';
import { startSpanReceiver } from './receiver.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4318' },
    host: { type: 'string', default: '127.0.0.1' },
    out: { type: 'string' },
  },
});
if (!values.out) {
  process.stderr.write('usage: main.ts [--port 4318] [--host 127.0.0.1] --out <spans.jsonl>\n');
  process.exit(2);
}
const receiver = await startSpanReceiver({ port: Number(values.port), host: values.host, file: values.out });
process.stdout.write(`listening ${receiver.url}\n`);
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.once(signal, () => {
    void receiver.close().then(() => process.exit(0));
  });
