/**
 * One named proxy (Toxiproxy's Proxy): a listener on `listen` that connects every accepted client
 * to `upstream` through two ToxicLinks. Disabling it closes the listener and every connection.
 */
import net, { type Server, type Socket } from 'node:net';
import { bindErrorMessage, formatHostPort, type HostPort, parseListen, parseUpstream } from './address.ts';
import { SocketSink, ToxicLink } from './link.ts';
import type { Random } from './random.ts';
import { ReadBuffer, withReadBuffer } from './read-buffer.ts';
import { ToxicCollection } from './toxic-collection.ts';

export interface ProxyConfig {
  name: string;
  listen: string;
  upstream: string;
}

/** A socket of a connection, with the buffer it reads into when it has one of its own. */
interface LinkEnd {
  socket: Socket;
  readBuffer: ReadBuffer | undefined;
}

/**
 * Joins a client connection and its upstream connection with one link per direction, registered
 * with the proxy's toxics (so toxic changes reach them) until both sockets have closed.
 */
function joinConnection(client: LinkEnd, upstream: LinkEnd, toxics: ToxicCollection, random: Random): void {
  // A reset_peer toxic in either direction resets both sockets, as Toxiproxy's SO_LINGER 0 does.
  let reset = false;
  const resetRequested = (): boolean => reset;
  const onReset = (): void => {
    reset = true;
  };
  const upstreamLink = new ToxicLink({
    source: client.socket,
    readBuffer: client.readBuffer,
    dest: new SocketSink(upstream.socket, resetRequested),
    chain: toxics.chain('upstream'),
    random,
    onReset,
  });
  const downstreamLink = new ToxicLink({
    source: upstream.socket,
    readBuffer: upstream.readBuffer,
    dest: new SocketSink(client.socket, resetRequested),
    chain: toxics.chain('downstream'),
    random,
    onReset,
  });
  toxics.register(upstreamLink, 'upstream');
  toxics.register(downstreamLink, 'downstream');
  let open = 2;
  const socketClosed = (): void => {
    open -= 1;
    if (open > 0) return;
    toxics.unregister(upstreamLink, 'upstream');
    toxics.unregister(downstreamLink, 'downstream');
  };
  client.socket.once('close', socketClosed);
  upstream.socket.once('close', socketClosed);
  upstreamLink.start();
  downstreamLink.start();
}

export class ToxicProxy {
  readonly name: string;
  listen: string;
  upstream: string;
  enabled = false;
  readonly toxics = new ToxicCollection();
  readonly #random: Random;
  #server: Server | undefined;
  /** Every socket of this proxy (clients waiting for their upstream included), closed on stop. */
  readonly #sockets = new Set<Socket>();

  constructor(config: ProxyConfig, random: Random) {
    this.name = config.name;
    this.listen = config.listen;
    this.upstream = config.upstream;
    this.#random = random;
  }

  /** Binds the listener; `listen` then reports the bound address (port 0 becomes the real port). */
  async start(): Promise<void> {
    if (this.enabled) return;
    let address: HostPort;
    try {
      address = parseListen(this.listen);
    } catch (error) {
      throw new Error(`listen tcp: ${(error as Error).message}`);
    }
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true });
    server.on('connection', (client) => this.#accept(client));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(new Error(bindErrorMessage(address, error))),
      );
      server.listen({ host: address.host, port: address.port, exclusive: true }, () => resolve());
    });
    server.on('error', () => {}); // after binding, accept errors are not fatal to the proxy
    const bound = server.address() as net.AddressInfo;
    this.listen = formatHostPort({ host: bound.address, port: bound.port });
    this.#server = server;
    this.enabled = true;
  }

  /** Closes the listener and every connection; waits until the port is free again. */
  async stop(): Promise<void> {
    if (!this.enabled) return;
    this.enabled = false;
    const server = this.#server;
    this.#server = undefined;
    const closed = new Promise<void>((resolve) => server?.close(() => resolve()) ?? resolve());
    for (const socket of this.#sockets) socket.destroy();
    await closed;
  }

  /** Would `other` need a restart: a different listen address (once resolved) or upstream. */
  differs(other: { listen: string; upstream: string }): boolean {
    const listen = formatHostPort(parseListen(other.listen));
    return listen !== this.listen || other.upstream !== this.upstream;
  }

  /** POST|PATCH /proxies/{proxy}: a new listen/upstream restarts it; `enabled` starts or stops it. */
  async update(input: { listen: string; upstream: string; enabled: boolean }): Promise<void> {
    if (this.differs(input)) {
      await this.stop();
      this.listen = input.listen;
      this.upstream = input.upstream;
    }
    if (input.enabled && !this.enabled) await this.start();
    else if (!input.enabled && this.enabled) await this.stop();
  }

  toJSON(): object {
    return {
      name: this.name,
      listen: this.listen,
      upstream: this.upstream,
      enabled: this.enabled,
      toxics: this.toxics.list(),
    };
  }

  #track(socket: Socket): void {
    this.#sockets.add(socket);
    socket.on('error', () => {}); // resets and refusals end the connection; they are not crashes
    socket.once('close', () => this.#sockets.delete(socket));
  }

  #accept(accepted: Socket): void {
    const client = withReadBuffer(accepted);
    this.#track(client.socket);
    let upstreamAddress: HostPort;
    try {
      upstreamAddress = parseUpstream(this.upstream);
    } catch {
      client.socket.destroy();
      return;
    }
    // As Toxiproxy: connect upstream first; the client is read only once both ends are there.
    const readBuffer = new ReadBuffer();
    const upstream = net.connect({
      ...upstreamAddress,
      allowHalfOpen: true,
      noDelay: true,
      onread: readBuffer.onread,
    });
    this.#track(upstream);
    const refused = (): void => {
      client.socket.destroy();
    };
    upstream.once('error', refused);
    upstream.once('connect', () => {
      upstream.off('error', refused);
      if (client.socket.destroyed || !this.enabled) {
        upstream.destroy();
        client.socket.destroy();
        return;
      }
      // The links attach to the read buffers here, before the upstream socket's first read.
      joinConnection(client, { socket: upstream, readBuffer }, this.toxics, this.#random);
    });
  }
}
