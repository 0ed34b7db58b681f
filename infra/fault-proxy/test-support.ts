/**
 * Real sockets for the fault proxy's tests and benchmark: upstream servers, clients that record
 * what they receive and when, and a tiny API caller. Not a test file itself.
 */
import net, { type AddressInfo, type Server, type Socket } from 'node:net';

export interface Upstream {
  port: number;
  address: string;
  /** Sockets the server accepted, most recent last. */
  sockets: Socket[];
  close(): Promise<void>;
}

/** A TCP server on 127.0.0.1:0 running `onConnection` for every client. */
export async function startUpstream(onConnection: (socket: Socket) => void): Promise<Upstream> {
  const sockets: Socket[] = [];
  const server: Server = net.createServer({ noDelay: true }, (socket) => {
    sockets.push(socket);
    socket.on('error', () => {});
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    address: `127.0.0.1:${port}`,
    sockets,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export const echoUpstream = (): Promise<Upstream> => startUpstream((socket) => socket.pipe(socket));

/** A client that records every chunk with its arrival time, and how the connection ended. */
export class RecordingClient {
  readonly socket: Socket;
  readonly chunks: { data: Buffer; at: number }[] = [];
  readonly connected: Promise<void>;
  /** Resolves when the socket closes, with the error code that closed it (ECONNRESET...) if any. */
  readonly closed: Promise<{ at: number; errorCode: string | undefined }>;
  #errorCode: string | undefined;

  constructor(port: number) {
    this.socket = net.connect({ port, host: '127.0.0.1', noDelay: true });
    this.connected = new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
    this.socket.on('error', (error: NodeJS.ErrnoException) => {
      this.#errorCode = error.code;
    });
    this.socket.on('data', (data: Buffer) => this.chunks.push({ data, at: performance.now() }));
    this.closed = new Promise((resolve) =>
      this.socket.once('close', () => resolve({ at: performance.now(), errorCode: this.#errorCode })),
    );
  }

  get received(): Buffer {
    return Buffer.concat(this.chunks.map((chunk) => chunk.data));
  }

  /** Waits until `bytes` bytes have arrived in total (or the deadline passes: then throws). */
  async receive(bytes: number, deadlineMs = 10_000): Promise<void> {
    const deadline = performance.now() + deadlineMs;
    while (this.received.length < bytes) {
      if (performance.now() > deadline) throw new Error(`received ${this.received.length} of ${bytes} bytes`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  /** Sends `text` and waits for `expectBytes` more bytes; returns the round-trip time in ms. */
  async roundTrip(text: string, expectBytes = text.length): Promise<number> {
    const before = this.received.length;
    const start = performance.now();
    await new Promise<void>((resolve) => {
      const check = (): void => {
        if (this.received.length >= before + expectBytes) {
          this.socket.off('data', check);
          resolve();
        }
      };
      this.socket.on('data', check);
      this.socket.write(text);
    });
    return performance.now() - start;
  }
}

/** A raw HTTP call: status, content type and body text. */
export async function api(
  baseUrl: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{
  status: number;
  contentType: string | null;
  headers: Headers;
  text: string;
  json: () => unknown;
}> {
  const response = await fetch(baseUrl + path, {
    method,
    headers,
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    headers: response.headers,
    text,
    json: () => JSON.parse(text),
  };
}

/** Port of a proxy's `listen` ("127.0.0.1:1234"). */
export function portOf(listen: string): number {
  return Number(listen.slice(listen.lastIndexOf(':') + 1));
}

export async function waitFor(
  condition: () => boolean,
  deadlineMs = 10_000,
  what = 'condition',
): Promise<void> {
  const deadline = performance.now() + deadlineMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
