/**
 * Links read into buffers they own and reuse (read-buffer.ts). A reuse too early would overwrite
 * data a pending write still points at, so these tests move random bytes (a shifted copy would
 * not match by chance, as a periodic pattern could) through readers slow enough to keep writes
 * pending, and compare every byte.
 */
import { createHash, randomBytes } from 'node:crypto';
import net, { type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SocketSink, ToxicLink } from './link.ts';
import { createRandom } from './random.ts';
import { ReadBuffer, withReadBuffer } from './read-buffer.ts';
import { type FaultProxy, startFaultProxy } from './server.ts';
import { api, portOf, startUpstream, type Upstream, waitFor } from './test-support.ts';

const SIZE = 12 * 1024 * 1024;

let faultProxy: FaultProxy;

beforeAll(async () => {
  faultProxy = await startFaultProxy({ port: 0, seed: 7 });
});

afterAll(async () => {
  await faultProxy.close();
});

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/** Reads everything, pausing a few ms every ~256 KiB so the sender's writes back up. */
function readSlowly(socket: Socket): { hash: () => string; bytes: () => number } {
  const hash = createHash('sha256');
  let bytes = 0;
  let sincePause = 0;
  socket.on('data', (data: Buffer) => {
    hash.update(data);
    bytes += data.length;
    sincePause += data.length;
    if (sincePause >= 256 * 1024) {
      sincePause = 0;
      socket.pause();
      setTimeout(() => socket.resume(), 3);
    }
  });
  return { hash: () => hash.copy().digest('hex'), bytes: () => bytes };
}

/** Writes `data` in pieces of varied sizes (small and large reads on the proxy), with backpressure. */
function writeInPieces(socket: Socket, data: Buffer): void {
  let offset = 0;
  let piece = 0;
  const sizes = [100, 70_000, 3, 300_000, 16_384, 1_500];
  const next = (): void => {
    while (offset < data.length) {
      const size = sizes[piece++ % sizes.length] ?? 1;
      const chunk = data.subarray(offset, offset + size);
      offset += chunk.length;
      if (!socket.write(chunk)) {
        socket.once('drain', next);
        return;
      }
    }
  };
  next();
}

describe('a link reading into its own buffer', () => {
  let upstream: Upstream;
  const fromClient = randomBytes(SIZE);
  const fromServer = randomBytes(SIZE);
  let serverReader: ReturnType<typeof readSlowly> | undefined;

  beforeAll(async () => {
    upstream = await startUpstream((socket) => {
      serverReader = readSlowly(socket);
      writeInPieces(socket, fromServer);
    });
  });

  afterAll(async () => {
    await upstream.close();
  });

  /** A new proxy to the upstream, and a client streaming `fromClient` through it, read slowly. */
  async function streamThroughNewProxy(name: string) {
    const created = await api(faultProxy.url, 'POST', '/proxies', {
      name,
      listen: '127.0.0.1:0',
      upstream: upstream.address,
    });
    const client = net.connect({
      port: portOf((created.json() as { listen: string }).listen),
      host: '127.0.0.1',
    });
    const clientReader = readSlowly(client);
    client.once('connect', () => writeInPieces(client, fromClient));
    return { client, clientReader };
  }

  it('moves every byte, both ways at once, through slow readers', { timeout: 60_000 }, async () => {
    const { client, clientReader } = await streamThroughNewProxy('bulk');
    await waitFor(
      () => clientReader.bytes() >= SIZE && (serverReader?.bytes() ?? 0) >= SIZE,
      50_000,
      'both streams',
    );
    expect(clientReader.bytes()).toBe(SIZE);
    expect(clientReader.hash()).toBe(sha256(fromServer));
    expect(serverReader?.bytes()).toBe(SIZE);
    expect(serverReader?.hash()).toBe(sha256(fromClient));
    client.destroy();
  });

  it('keeps every byte when a toxic is spliced in and out mid-stream', { timeout: 60_000 }, async () => {
    const { client, clientReader } = await streamThroughNewProxy('spliced');
    for (let round = 0; round < 4; round += 1) {
      for (const stream of ['upstream', 'downstream']) {
        await api(faultProxy.url, 'POST', '/proxies/spliced/toxics', {
          type: 'latency',
          stream,
          attributes: { latency: 3 },
        });
      }
      await new Promise((resolve) => setTimeout(resolve, 15));
      for (const stream of ['upstream', 'downstream']) {
        await api(faultProxy.url, 'DELETE', `/proxies/spliced/toxics/latency_${stream}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    await waitFor(
      () => clientReader.bytes() >= SIZE && (serverReader?.bytes() ?? 0) >= SIZE,
      50_000,
      'both streams',
    );
    expect(clientReader.hash()).toBe(sha256(fromServer));
    expect(serverReader?.hash()).toBe(sha256(fromClient));
    client.destroy();
  });
});

describe('a ToxicLink to a destination that holds megabytes below its high-water mark', () => {
  // Its writes return true with data still pending: with a ReadBuffer, each read whose write is
  // left pending must go to a new buffer, or the pending bytes get overwritten. Without one (a
  // socket withReadBuffer could not take over) the link reads Node's way, 'data' events.
  it.each([
    ['into its ReadBuffer', true],
    ["by 'data' events", false],
  ])('moves every byte reading %s', { timeout: 60_000 }, async (_, withBuffer) => {
    const data = randomBytes(SIZE);
    let reader: ReturnType<typeof readSlowly> | undefined;
    const destination = await startUpstream((socket) => {
      reader = readSlowly(socket);
    });
    const writer = await startUpstream((socket) => writeInPieces(socket, data));
    const readBuffer = withBuffer ? new ReadBuffer() : undefined;
    const source = net.connect({ port: writer.port, host: '127.0.0.1', onread: readBuffer?.onread });
    source.pause(); // read from link.start() on, as the proxy's sockets are
    const dest = new net.Socket({ writableHighWaterMark: 4 * 1024 * 1024 } as net.SocketConstructorOpts);
    dest.connect({ port: destination.port, host: '127.0.0.1' });
    await Promise.all(
      [source, dest].map((socket) => new Promise((resolve) => socket.once('connect', resolve))),
    );
    const link = new ToxicLink({
      source,
      readBuffer,
      dest: new SocketSink(dest, () => false),
      chain: [],
      random: createRandom(1),
      onReset: () => {},
    });
    link.start();
    await waitFor(() => (reader?.bytes() ?? 0) >= SIZE, 50_000, 'the stream');
    expect(reader?.hash()).toBe(sha256(data));
    source.destroy();
    dest.destroy();
    await Promise.all([writer.close(), destination.close()]);
  });
});

describe('withReadBuffer', () => {
  it("moves an accepted socket to one reading into the link's buffer; the server still closes", async () => {
    const received: Buffer[] = [];
    let adopted: Socket | undefined;
    const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, (accepted) => {
      const { socket, readBuffer } = withReadBuffer(accepted);
      // On this Node the fast path must be taken: falling back would slow every link silently.
      expect(readBuffer).toBeInstanceOf(ReadBuffer);
      expect(socket).not.toBe(accepted);
      readBuffer?.attach((data) => {
        received.push(Buffer.from(data));
        return true;
      });
      adopted = socket;
      socket.resume();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const client = net.connect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1' });
    client.write('hello through an adopted socket');
    await waitFor(
      () => Buffer.concat(received).toString() === 'hello through an adopted socket',
      5000,
      'data',
    );
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    client.destroy();
    adopted?.destroy();
    await closed;
  });
});
