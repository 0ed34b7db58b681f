/**
 * Each toxic measured on real sockets through the proxy. Timing bounds are strict on the side the
 * toxic guarantees (never faster than the latency) and generous on the other (a loaded machine).
 */
import { describe, expect, it } from 'vitest';
import { withFaultProxy } from '../proxy-fixture.ts';
import { type FaultProxy, startFaultProxy } from '../server.ts';
import { api, portOf, RecordingClient, startUpstream, type Upstream } from '../test-support.ts';

let faultProxy: FaultProxy;
let echo: Upstream;

withFaultProxy({ seed: 42 }, (env) => {
  ({ faultProxy, echo } = env);
});

/** A proxy to `upstream`, with the given toxics; returns its port. */
async function proxyTo(upstream: Upstream, toxics: object[] = [], name = 'link'): Promise<number> {
  const created = await api(faultProxy.url, 'POST', '/proxies', {
    name,
    listen: '127.0.0.1:0',
    upstream: upstream.address,
  });
  expect(created.status).toBe(201);
  for (const toxic of toxics) {
    expect((await api(faultProxy.url, 'POST', `/proxies/${name}/toxics`, toxic)).status).toBe(200);
  }
  return portOf((created.json() as { listen: string }).listen);
}

async function connect(port: number): Promise<RecordingClient> {
  const client = new RecordingClient(port);
  await client.connected;
  return client;
}

/** Writes `data` through a link with one closing toxic; how the proxy closed it, and how long it took. */
async function writeUntilClosed(toxic: object, data: string) {
  const client = await connect(await proxyTo(echo, [toxic]));
  const start = performance.now();
  client.socket.write(data);
  const closed = await client.closed;
  return { errorCode: closed.errorCode, afterMs: closed.at - start, received: client.received.length };
}

describe('latency', () => {
  it('adds latency ± jitter to every round trip', async () => {
    const port = await proxyTo(echo, [{ type: 'latency', attributes: { latency: 150, jitter: 40 } }]);
    const client = await connect(port);
    const roundTrips: number[] = [];
    for (let i = 0; i < 6; i += 1) roundTrips.push(await client.roundTrip(`ping ${i}`));
    // Never below latency - jitter; the upper side allows for a loaded machine, on the median.
    expect(Math.min(...roundTrips)).toBeGreaterThanOrEqual(110);
    const median = [...roundTrips].sort((a, b) => a - b)[3] ?? 0;
    expect(median).toBeLessThan(190 + 150);
    client.socket.destroy();
  });

  it('upstream and downstream latency add up', async () => {
    const port = await proxyTo(echo, [
      { type: 'latency', stream: 'upstream', attributes: { latency: 100 } },
      { type: 'latency', attributes: { latency: 100 } },
    ]);
    const client = await connect(port);
    expect(await client.roundTrip('both ways')).toBeGreaterThanOrEqual(200);
    client.socket.destroy();
  });
});

describe('bandwidth', () => {
  it('delivers at the rate, within 10%', async () => {
    const total = 1_200_000;
    const sender = await startUpstream((socket) => socket.end(Buffer.alloc(total, 7)));
    const port = await proxyTo(sender, [{ type: 'bandwidth', attributes: { rate: 800 } }]);
    const client = new RecordingClient(port);
    await client.connected;
    const start = performance.now();
    await client.receive(total, 20_000);
    const seconds = ((client.chunks.at(-1)?.at ?? 0) - start) / 1000;
    const kbPerSecond = total / 1000 / seconds;
    expect(kbPerSecond).toBeGreaterThan(800 * 0.9);
    expect(kbPerSecond).toBeLessThan(800 * 1.1);
    client.socket.destroy();
    await sender.close();
  });
});

describe('reset_peer', () => {
  it('resets the connection: the client gets ECONNRESET, after the timeout', async () => {
    const closed = await writeUntilClosed({ type: 'reset_peer', attributes: { timeout: 300 } }, 'trigger');
    expect(closed.errorCode).toBe('ECONNRESET');
    expect(closed.afterMs).toBeGreaterThanOrEqual(300);
    expect(closed.received).toBe(0);
  });
});

describe('timeout', () => {
  it('drops data and closes the connection once the timeout passes', async () => {
    const closed = await writeUntilClosed(
      { type: 'timeout', attributes: { timeout: 300 } },
      'nothing comes back',
    );
    expect(closed.afterMs).toBeGreaterThanOrEqual(300);
    expect(closed.afterMs).toBeLessThan(3000);
    expect(closed.received).toBe(0);
  });

  it('timeout 0 holds the connection until the toxic is removed, which closes it', async () => {
    const port = await proxyTo(echo, [{ type: 'timeout', attributes: { timeout: 0 } }]);
    const client = await connect(port);
    client.socket.write('held');
    let closedEarly = false;
    void client.closed.then(() => {
      closedEarly = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(closedEarly).toBe(false);
    expect(client.received.length).toBe(0);
    const removed = performance.now();
    expect((await api(faultProxy.url, 'DELETE', '/proxies/link/toxics/timeout_downstream')).status).toBe(204);
    const closed = await client.closed;
    expect(closed.at - removed).toBeLessThan(2000);
  });
});

describe('limit_data', () => {
  it('closes the connection after exactly N bytes', async () => {
    const sender = await startUpstream((socket) => socket.write(Buffer.alloc(50_000, 1)));
    const port = await proxyTo(sender, [{ type: 'limit_data', attributes: { bytes: 12_345 } }]);
    const client = await connect(port);
    await client.closed;
    expect(client.received.length).toBe(12_345);
    await sender.close();
  });
});

describe('slicer', () => {
  it('delivers the same bytes in smaller writes', async () => {
    const payload = Buffer.from(Array.from({ length: 8000 }, (_, i) => i % 251));
    const sender = await startUpstream((socket) => socket.end(payload));
    const port = await proxyTo(sender, [
      { type: 'slicer', attributes: { average_size: 200, size_variation: 50, delay: 2000 } },
    ]);
    const client = await connect(port);
    await client.receive(payload.length);
    expect(client.received.equals(payload)).toBe(true);
    // 8000 bytes in ~200-byte slices 2 ms apart: many separate reads, each far below the whole.
    expect(client.chunks.length).toBeGreaterThanOrEqual(10);
    expect(Math.max(...client.chunks.map((chunk) => chunk.data.length))).toBeLessThan(payload.length / 2);
    await sender.close();
  });
});

describe('slow_close', () => {
  it('delays the close by `delay` ms, data first', async () => {
    const sender = await startUpstream((socket) => socket.end('bye'));
    const port = await proxyTo(sender, [{ type: 'slow_close', attributes: { delay: 400 } }]);
    const connectedAt = performance.now();
    const client = await connect(port);
    await client.receive(3);
    const dataAt = client.chunks[0]?.at ?? 0;
    const closed = await client.closed;
    // The upstream sends and closes at once: the close cannot come before `delay` has passed.
    expect(closed.at - connectedAt).toBeGreaterThanOrEqual(400);
    expect(closed.at - dataAt).toBeGreaterThanOrEqual(300);
    expect(client.received.toString()).toBe('bye');
    await sender.close();
  });

  it('without it, the close follows at once', async () => {
    const sender = await startUpstream((socket) => socket.end('bye'));
    const client = await connect(await proxyTo(sender));
    await client.receive(3);
    const closed = await client.closed;
    expect(closed.at - (client.chunks[0]?.at ?? 0)).toBeLessThan(200);
    await sender.close();
  });
});

describe('toxics on open connections', () => {
  it('added, updated and removed toxics apply to a connection that is already open', async () => {
    const port = await proxyTo(echo);
    const client = await connect(port);
    expect(await client.roundTrip('direct')).toBeLessThan(250);
    await api(faultProxy.url, 'POST', '/proxies/link/toxics', {
      type: 'latency',
      attributes: { latency: 300 },
    });
    expect(await client.roundTrip('slowed')).toBeGreaterThanOrEqual(300);
    await api(faultProxy.url, 'PATCH', '/proxies/link/toxics/latency_downstream', {
      attributes: { latency: 500 },
    });
    expect(await client.roundTrip('slower')).toBeGreaterThanOrEqual(500);
    await api(faultProxy.url, 'DELETE', '/proxies/link/toxics/latency_downstream');
    expect(await client.roundTrip('direct again')).toBeLessThan(250);
    client.socket.destroy();
  });

  it('no byte is lost or reordered while toxics come and go mid-stream', async () => {
    const port = await proxyTo(echo);
    const client = await connect(port);
    const payload = Buffer.from(Array.from({ length: 3_000_000 }, (_, i) => (i * 7) % 256));
    let offset = 0;
    const writeSome = (): void => {
      while (offset < payload.length) {
        const piece = payload.subarray(offset, offset + 16_384);
        offset += piece.length;
        if (!client.socket.write(piece)) {
          client.socket.once('drain', writeSome);
          return;
        }
      }
    };
    writeSome();
    const toxics = [
      { type: 'latency', attributes: { latency: 5 } },
      { type: 'slicer', stream: 'upstream', attributes: { average_size: 4096, size_variation: 1000 } },
      { type: 'bandwidth', attributes: { rate: 100_000 } },
    ];
    for (let round = 0; round < 3; round += 1) {
      for (const toxic of toxics) {
        await api(faultProxy.url, 'POST', '/proxies/link/toxics', toxic);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      for (const name of ['latency_downstream', 'slicer_upstream', 'bandwidth_downstream']) {
        await api(faultProxy.url, 'DELETE', `/proxies/link/toxics/${name}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    await client.receive(payload.length, 30_000);
    expect(client.received.equals(payload)).toBe(true);
    client.socket.destroy();
  });

  it('disabling the proxy closes its open connections; reset removes toxics and re-enables', async () => {
    const port = await proxyTo(echo, [{ type: 'latency', attributes: { latency: 400 } }]);
    const client = await connect(port);
    await api(faultProxy.url, 'POST', '/proxies/link', { enabled: false });
    await client.closed;
    await api(faultProxy.url, 'POST', '/reset');
    const again = await connect(port);
    expect(await again.roundTrip('healed')).toBeLessThan(300);
    again.socket.destroy();
  });
});

describe('toxicity', () => {
  /** Which of `count` sequential connections a 50% latency toxic slowed, under `seed`. */
  async function affected(seed: number, count: number): Promise<boolean[]> {
    const own = await startFaultProxy({ port: 0, seed });
    try {
      const created = await api(own.url, 'POST', '/proxies', {
        name: 'half',
        listen: '127.0.0.1:0',
        upstream: echo.address,
      });
      const port = portOf((created.json() as { listen: string }).listen);
      await api(own.url, 'POST', '/proxies/half/toxics', {
        type: 'latency',
        toxicity: 0.5,
        attributes: { latency: 150 },
      });
      const slowed: boolean[] = [];
      for (let i = 0; i < count; i += 1) {
        const client = await connect(port);
        // A spared connection would need a 150 ms stall to look slowed.
        slowed.push((await client.roundTrip('x')) >= 150);
        client.socket.destroy();
      }
      return slowed;
    } finally {
      await own.close();
    }
  }

  it('is drawn per connection from the seeded random source: same seed, same connections', async () => {
    const first = await affected(7, 16);
    expect(first.filter(Boolean).length).toBeGreaterThan(0);
    expect(first.filter(Boolean).length).toBeLessThan(16);
    expect(await affected(7, 16)).toEqual(first);
  });

  it('toxicity 0 never applies', async () => {
    const port = await proxyTo(echo, [{ type: 'latency', toxicity: 0, attributes: { latency: 500 } }]);
    for (let i = 0; i < 3; i += 1) {
      const client = await connect(port);
      expect(await client.roundTrip('spared')).toBeLessThan(400);
      client.socket.destroy();
    }
  });
});
