/**
 * A TCP proxy for tests that forwards everything but can "lose" the response to the first
 * Produce request: it forwards the request, then cuts the connection before the answer comes
 * back, so the client retries a batch the broker already appended.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface LossyProxy {
  port: number;
  /** how many Produce responses were dropped */
  dropped(): number;
  close(): Promise<void>;
}

export async function startLossyProxy(options: {
  targetPort: number;
  dropProduceResponses: number;
}): Promise<LossyProxy> {
  let dropped = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect({ port: options.targetPort, host: '127.0.0.1' });
    sockets.add(client);
    sockets.add(upstream);
    let pending = Buffer.alloc(0);
    let cutting = false;
    const cut = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 6) {
        const size = pending.readInt32BE(0);
        if (pending.length < 4 + size) break;
        const frame = pending.subarray(0, 4 + size);
        pending = pending.subarray(4 + size);
        upstream.write(frame);
        if (!cutting && frame.readInt16BE(4) === 0 && dropped < options.dropProduceResponses) {
          dropped++;
          cutting = true;
          upstream.removeAllListeners('data');
          // give the broker time to append, then drop the connection and its response
          setTimeout(cut, 100);
        }
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      if (!cutting) client.write(chunk);
    });
    for (const socket of [client, upstream]) {
      socket.on('error', cut);
      socket.on('close', () => {
        sockets.delete(socket);
        cut();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen({ port: 0, host: '127.0.0.1' }, resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    dropped: () => dropped,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
