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

/** Prints the logs of every source; with `follow`, keeps streaming until the signal aborts or all end. */
export async function streamLogs(docker: Docker, sources: LogSource[], options: LogsOptions): Promise<void> {
  const width = Math.max(...sources.map((source) => source.service.length));
  const prefixed = sources.length > 1;
  await Promise.all(
    sources.map(async (source) => {
      const prefix = prefixed ? `${source.service.padEnd(width)} | ` : '';
      const lines = new FrameLines((line) => options.write(`${prefix}${line}\n`));
      const container = docker.getContainer(source.containerId);
      if (!options.follow) {
        const buffer = await container.logs({ stdout: true, stderr: true, follow: false });
        lines.push(Buffer.from(buffer));
        lines.end();
        return;
      }
      const stream = await container.logs({ stdout: true, stderr: true, follow: true });
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          stream.removeAllListeners('data');
          (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
          resolve();
        };
        if (options.signal?.aborted) return stop();
        options.signal?.addEventListener('abort', stop, { once: true });
        stream.on('data', (chunk: Buffer) => lines.push(chunk));
        stream.on('end', () => {
          lines.end();
          options.signal?.removeEventListener('abort', stop);
          resolve();
        });
        stream.on('error', () => resolve());
      });
    }),
  );
}
