/**
 * Container logs through dockerode. Without a TTY the engine multiplexes stdout and stderr in
 * frames (8-byte header: stream, 3 zero bytes, big-endian length); this splits them back into
 * lines, prefixed with the service name when several containers are shown.
 */
import type Docker from 'dockerode';
import type { LogsOptions } from '../types.ts';

/** Turns frames, in chunks of any size, into complete lines. */
export class FrameLines {
  #buffer: Buffer = Buffer.alloc(0);
  #partial = '';
  readonly #onLine: (line: string) => void;

  constructor(onLine: (line: string) => void) {
    this.#onLine = onLine;
  }

  push(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    while (this.#buffer.length >= 8) {
      const size = this.#buffer.readUInt32BE(4);
      if (this.#buffer.length < 8 + size) break;
      this.#text(this.#buffer.subarray(8, 8 + size).toString('utf8'));
      this.#buffer = this.#buffer.subarray(8 + size);
    }
  }

  /** The last line when the stream ended without a newline. */
  end(): void {
    if (this.#partial) this.#onLine(this.#partial);
    this.#partial = '';
  }

  #text(text: string): void {
    const lines = (this.#partial + text).split('\n');
    this.#partial = lines.pop() ?? '';
    for (const line of lines) this.#onLine(line);
  }
}

export interface LogSource {
  service: string;
  containerId: string;
}

/** `2026-11-22T04:03:56.123456789Z` → sortable "seconds.nanoseconds" (Go trims trailing zeros). */
function timestampKey(timestamp: string): string {
  const match = /^(.*?:\d\d)(?:\.(\d+))?Z$/.exec(timestamp);
  if (!match) return '';
  const seconds = Math.floor(Date.parse(`${match[1]}Z`) / 1000);
  return `${String(seconds).padStart(12, '0')}.${(match[2] ?? '').padEnd(9, '0')}`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * One container's log. With `follow`, it keeps going across restarts (the engine ends a follow
 * stream when the container stops): it waits for the container to run again and resumes after the
 * last line shown, until the signal aborts or the container is removed.
 */
async function containerLog(
  docker: Docker,
  source: LogSource,
  prefix: string,
  options: LogsOptions,
): Promise<void> {
  const container = docker.getContainer(source.containerId);
  let lastKey = '';
  const lines = new FrameLines((line) => {
    // Every line starts with its timestamp (asked for below, so a resumed stream can skip what was shown).
    const space = line.indexOf(' ');
    const key = timestampKey(line.slice(0, space));
    if (key && key <= lastKey) return;
    if (key) lastKey = key;
    options.write(`${prefix}${line.slice(space + 1)}\n`);
  });
  if (!options.follow) {
    lines.push(
      Buffer.from(await container.logs({ stdout: true, stderr: true, follow: false, timestamps: true })),
    );
    lines.end();
    return;
  }
  const aborted = (): boolean => options.signal?.aborted ?? false;
  while (!aborted()) {
    const since = lastKey ? Math.floor(Number(lastKey.split('.')[0])) : 0;
    const stream = await container.logs({
      stdout: true,
      stderr: true,
      follow: true,
      timestamps: true,
      since,
    });
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
        resolve();
      };
      if (aborted()) return stop();
      options.signal?.addEventListener('abort', stop, { once: true });
      stream.on('data', (chunk: Buffer) => lines.push(chunk));
      stream.on('end', () => {
        options.signal?.removeEventListener('abort', stop);
        resolve();
      });
      stream.on('error', () => resolve());
    });
    lines.end();
    // Stopped (killed, restarting): wait for it to run again; removed: done.
    for (;;) {
      if (aborted()) return;
      const state = await container.inspect().then(
        (info) => info.State,
        () => undefined,
      );
      if (!state) return;
      if (state.Running) break;
      await sleep(500);
    }
  }
}

/** Prints the logs of every source; with `follow`, keeps streaming until the signal aborts. */
export async function streamLogs(docker: Docker, sources: LogSource[], options: LogsOptions): Promise<void> {
  const width = Math.max(...sources.map((source) => source.service.length));
  const prefixed = sources.length > 1;
  await Promise.all(
    sources.map((source) =>
      containerLog(docker, source, prefixed ? `${source.service.padEnd(width)} | ` : '', options),
    ),
  );
}
