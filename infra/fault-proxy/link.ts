/**
 * One direction of one proxied connection (Toxiproxy's ToxicLink): source socket → toxics → dest
 * socket. With no toxics the source writes straight into the destination, with backpressure, at
 * the cost of a plain pipe; toxics added later are spliced in on the open connection, and when the
 * last one is removed the link falls back to the direct path, after what the toxics held.
 * The source reads into a buffer the link owns (read-buffer.ts): written as it is on the direct
 * path, copied into a chunk when toxics may hold it.
 */
import type { Socket } from 'node:net';
import type { Random } from './random.ts';
import type { ReadBuffer } from './read-buffer.ts';
import { type Chunk, ChunkQueue, type ChunkSink, type RunnableToxic, ToxicStub } from './toxics/toxic.ts';

/** The end of a link: writes to the destination socket; the end of stream closes it (or resets it). */
export class SocketSink implements ChunkSink {
  readonly #socket: Socket;
  readonly #resetRequested: () => boolean;
  #ended = false;

  constructor(socket: Socket, resetRequested: () => boolean) {
    this.#socket = socket;
    this.#resetRequested = resetRequested;
  }

  /** The direct path: no chunk object, no timestamp. */
  write(data: Buffer): boolean {
    if (this.#ended || this.#socket.destroyed) return true;
    return this.#socket.write(data);
  }

  /** Nothing written is still waiting to reach the kernel (so no buffer is still referenced). */
  get flushed(): boolean {
    return this.#socket.writableLength === 0;
  }

  push(chunk: Chunk | null): boolean {
    if (chunk !== null) return this.write(chunk.data);
    if (this.#ended) return true;
    this.#ended = true;
    // As Toxiproxy closes the destination when a direction ends: after flushing what was written.
    // The other direction then sees its source closed and ends in turn.
    if (this.#resetRequested()) {
      if (!this.#socket.destroyed) this.#socket.resetAndDestroy();
    } else {
      this.#socket.destroySoon();
    }
    return true;
  }

  onceDrained(callback: () => void): void {
    const socket = this.#socket;
    if (socket.destroyed || !socket.writableNeedDrain) {
      callback();
      return;
    }
    const done = (): void => {
      socket.off('drain', done);
      socket.off('close', done);
      callback();
    };
    socket.on('drain', done);
    socket.on('close', done);
  }
}

export interface LinkOptions {
  source: Socket;
  /** The source's read buffer, when the source was created with its `onread`. */
  readBuffer?: ReadBuffer;
  dest: SocketSink;
  /** The toxics of this direction at the time the connection opened, in chain order. */
  chain: readonly RunnableToxic[];
  random: Random;
  /** A reset_peer toxic fired: the connection's sockets are to be closed with RST. */
  onReset: () => void;
}

export class ToxicLink {
  readonly #source: Socket;
  readonly #readBuffer: ReadBuffer | undefined;
  readonly #dest: SocketSink;
  readonly #random: Random;
  readonly #onReset: () => void;
  #stubs: ToxicStub[] = [];
  #inputEnded = false;
  #pauses = 0;

  constructor(options: LinkOptions) {
    this.#source = options.source;
    this.#readBuffer = options.readBuffer;
    this.#dest = options.dest;
    this.#random = options.random;
    this.#onReset = options.onReset;
    for (const toxic of options.chain) this.addToxic(toxic);
  }

  /** Starts reading the source (sockets are accepted paused, so nothing is read before this). */
  start(): void {
    if (this.#readBuffer) this.#readBuffer.attach(this.#onRead);
    else this.#source.on('data', this.#onData);
    this.#source.once('end', this.#endInput);
    this.#source.once('close', this.#endInput);
    this.#source.resume();
  }

  readonly #onData = (data: Buffer): void => {
    const first = this.#stubs[0];
    if (first === undefined) {
      if (!this.#dest.write(data)) this.#pauseUntilDrained(this.#dest);
    } else if (!first.input.push({ data, timestamp: performance.now() })) {
      this.#pauseUntilDrained(first.input);
    }
  };

  /** Data in the source's read buffer: copied if a toxic may hold it, else written as it is. */
  readonly #onRead = (data: Buffer): boolean => {
    const first = this.#stubs[0];
    if (first !== undefined) {
      if (!first.input.push({ data: Buffer.from(data), timestamp: performance.now() })) {
        this.#pauseUntilDrained(first.input);
      }
      return true;
    }
    if (!this.#dest.write(data)) {
      // Paused until the write has drained, so the buffer is not read into before then.
      this.#pauseUntilDrained(this.#dest);
      return true;
    }
    return this.#dest.flushed;
  };

  #pauseUntilDrained(sink: ChunkSink): void {
    this.#source.pause();
    const pause = ++this.#pauses;
    sink.onceDrained(() => {
      // Only the latest pause may resume: an older sink draining says nothing about the current one.
      if (pause === this.#pauses && !this.#inputEnded) this.#source.resume();
    });
  }

  readonly #endInput = (): void => {
    if (this.#inputEnded) return;
    this.#inputEnded = true;
    this.#source.off('data', this.#onData);
    this.#readBuffer?.attach(() => true);
    const first = this.#stubs[0];
    if (first === undefined) this.#dest.push(null);
    else first.input.push(null);
  };

  /** Appends a toxic to the end of this link's chain, on the open connection. */
  addToxic(toxic: RunnableToxic): void {
    const last = this.#stubs.at(-1);
    const stub = new ToxicStub({
      input: new ChunkQueue(),
      output: last ? last.output : this.#dest,
      random: this.#random,
      toxic,
      onReset: this.#onReset,
    });
    // Pushing is synchronous, so re-pointing the previous stage loses and reorders nothing.
    if (last) last.output = stub.input;
    this.#stubs.push(stub);
    stub.state = toxic.kind.newState?.();
    stub.start(toxic);
  }

  /** Restarts a toxic with its new attributes (and a new toxicity draw). */
  async updateToxic(toxic: RunnableToxic): Promise<void> {
    const stub = this.#stubs.find((candidate) => candidate.toxic === toxic);
    if (stub && (await stub.interrupt())) stub.start(toxic);
  }

  /** Takes a toxic out of the chain; what it held moves on in order (unless it closed the link). */
  async removeToxic(toxic: RunnableToxic): Promise<void> {
    const stub = this.#stubs.find((candidate) => candidate.toxic === toxic);
    if (stub === undefined) return;
    if (await stub.interrupt()) toxic.kind.cleanup?.(stub);
    const index = this.#stubs.indexOf(stub);
    const held = stub.input.takeAll();
    if (!stub.closed) for (const item of held) stub.output.push(item);
    const previous = this.#stubs[index - 1];
    if (previous) previous.output = stub.output;
    this.#stubs.splice(index, 1);
  }
}
