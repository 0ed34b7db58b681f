/**
 * The toxic machinery, after Toxiproxy's toxics/toxic.go: a toxic only defines its attributes and
 * `pipe`, and runs per connection and direction on a ToxicStub that holds that link's state. Stubs
 * are chained: each one reads the previous one's output queue and writes to the next one (or, at
 * the end of the chain, to the destination socket). Pushing is synchronous and never drops data;
 * backpressure comes from high-water marks, so a slow destination pauses the source socket.
 */
import type { Random } from '../random.ts';

export interface Chunk {
  data: Buffer;
  /** performance.now() when the proxy read the data from its source; latency counts from here. */
  timestamp: number;
}

/** Where a stub writes: the next stub's input queue, or the destination socket. */
export interface ChunkSink {
  /** Takes the chunk at once (null = end of stream). False asks the writer to wait for onceDrained. */
  push(chunk: Chunk | null): boolean;
  /** Calls back once the sink is below its high-water mark again (at once if it already is). */
  onceDrained(callback: () => void): void;
}

const QUEUE_HIGH_WATER_MARK = 256 * 1024;

/** The input of a stub: an unbounded FIFO that reports backpressure above a high-water mark. */
export class ChunkQueue implements ChunkSink {
  #items: Array<Chunk | null> = [];
  #head = 0;
  #bytes = 0;
  #onReadable: (() => void) | undefined;
  #drainWaiters: Array<() => void> = [];

  get length(): number {
    return this.#items.length - this.#head;
  }

  push(chunk: Chunk | null): boolean {
    this.#items.push(chunk);
    if (chunk) this.#bytes += chunk.data.length;
    const wake = this.#onReadable;
    this.#onReadable = undefined;
    wake?.();
    return this.#bytes < QUEUE_HIGH_WATER_MARK;
  }

  /** Puts a chunk back at the front, for a toxic interrupted after reading it. */
  unshift(chunk: Chunk | null): void {
    if (this.#head > 0) this.#items[--this.#head] = chunk;
    else this.#items.unshift(chunk);
    if (chunk) this.#bytes += chunk.data.length;
  }

  /** The next item, or undefined when the queue is empty. */
  shift(): Chunk | null | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head] ?? null;
    this.#head += 1;
    // Compact now and then instead of Array#shift on every read (slicer output can be long).
    if (this.#head > 1024 && this.#head * 2 > this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    if (item) {
      this.#bytes -= item.data.length;
      if (this.#bytes < QUEUE_HIGH_WATER_MARK) this.#releaseDrainWaiters();
    }
    return item;
  }

  /** Removes and returns everything queued (a toxic is being removed: its data moves on). */
  takeAll(): Array<Chunk | null> {
    const items = this.#items.slice(this.#head);
    this.#items = [];
    this.#head = 0;
    this.#bytes = 0;
    this.#releaseDrainWaiters();
    return items;
  }

  /** One reader at a time: the stub that owns this queue. */
  onReadable(callback: () => void): void {
    if (this.length > 0) callback();
    else this.#onReadable = callback;
  }

  onceDrained(callback: () => void): void {
    if (this.#bytes < QUEUE_HIGH_WATER_MARK) callback();
    else this.#drainWaiters.push(callback);
  }

  #releaseDrainWaiters(): void {
    const waiters = this.#drainWaiters;
    this.#drainWaiters = [];
    for (const waiter of waiters) waiter();
  }
}

export const INTERRUPTED = Symbol('interrupted');
export const TIMED_OUT = Symbol('timed out');

/** What a stub runs: a toxic kind with its (live) attributes and toxicity. */
export interface RunnableToxic {
  readonly kind: ToxicKind;
  readonly attributes: Readonly<Record<string, number>>;
  readonly toxicity: number;
}

/**
 * One toxic's place in one link. Every wait a toxic makes (read, write backpressure, sleep) ends
 * early on interrupt, which is how toxics are updated and removed on open connections.
 */
export class ToxicStub {
  readonly input: ChunkQueue;
  output: ChunkSink;
  readonly random: Random;
  /** Per-connection state of stateful toxics (limit_data), kept across updates. */
  state: unknown;
  /** The toxic this stub was created for; a link finds its stub by it. */
  readonly toxic: object;
  readonly #onReset: () => void;
  #closed = false;
  #interrupting = false;
  #wake: (() => void) | undefined;
  #running: Promise<void> = Promise.resolve();

  constructor(options: {
    input: ChunkQueue;
    output: ChunkSink;
    random: Random;
    toxic: object;
    onReset: () => void;
  }) {
    this.input = options.input;
    this.output = options.output;
    this.random = options.random;
    this.toxic = options.toxic;
    this.#onReset = options.onReset;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Runs the toxic, or passes data unchanged when the toxicity draw says this link is spared. */
  start(toxic: RunnableToxic): void {
    this.#interrupting = false;
    const applies = this.random.next() < toxic.toxicity;
    const pipe = applies ? toxic.kind.pipe(this, toxic.attributes) : pipeUnchanged(this);
    this.#running = pipe.catch(() => this.close());
  }

  /** Stops the running toxic and waits for it to return; false when the stub is already closed. */
  async interrupt(): Promise<boolean> {
    if (this.#closed) return false;
    this.#interrupting = true;
    this.#wake?.();
    await this.#running;
    return true;
  }

  /** The next chunk, null at end of stream, INTERRUPTED, or TIMED_OUT after `timeoutMs`. */
  async read(timeoutMs?: number): Promise<Chunk | null | typeof INTERRUPTED | typeof TIMED_OUT> {
    const deadline = timeoutMs === undefined ? undefined : performance.now() + timeoutMs;
    for (;;) {
      if (this.#interrupting) return INTERRUPTED;
      const item = this.input.shift();
      if (item !== undefined) return item;
      const remaining = deadline === undefined ? undefined : deadline - performance.now();
      if (remaining !== undefined && remaining <= 0) return TIMED_OUT;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        this.input.onReadable(resolve);
        if (remaining !== undefined) timer = setTimeout(resolve, Math.ceil(remaining));
      });
      clearTimeout(timer);
    }
  }

  /** Gives a chunk back to the input, for a toxic interrupted between reading and acting on it. */
  unread(chunk: Chunk | null): void {
    this.input.unshift(chunk);
  }

  /** Passes a chunk on; waits while the next stage is above its high-water mark (not on interrupt). */
  async write(chunk: Chunk): Promise<void> {
    if (this.output.push(chunk) || this.#interrupting) return;
    await new Promise<void>((resolve) => {
      this.#wake = resolve;
      this.output.onceDrained(resolve);
    });
  }

  /** Waits `ms` (never less: timers may fire early by a fraction of a ms); false if interrupted. */
  async sleep(ms: number): Promise<boolean> {
    const deadline = performance.now() + ms;
    for (;;) {
      if (this.#interrupting) return false;
      const remaining = deadline - performance.now();
      if (remaining <= 0) return true;
      let timer: NodeJS.Timeout | undefined;
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        timer = setTimeout(resolve, Math.ceil(remaining));
      });
      clearTimeout(timer);
    }
  }

  /** Ends this direction: the destination is closed once what is ahead of the end has been sent. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.output.push(null);
  }

  /** Like close, but both sockets of the connection are closed with a TCP RST. */
  resetPeer(): void {
    this.#onReset();
    this.close();
  }
}

/**
 * The loop of most toxics (Toxiproxy's `for { select { case <-stub.Interrupt ... case c := <-stub.Input` }`):
 * each chunk read goes to `onChunk` until the stub is interrupted, `onChunk` answers false, or the
 * stream ends, which `onEnd` handles (by default: close the stub).
 */
export async function eachChunk(
  stub: ToxicStub,
  onChunk: (chunk: Chunk) => Promise<unknown>,
  onEnd: () => void | Promise<void> = () => stub.close(),
): Promise<void> {
  for (;;) {
    const chunk = await stub.read();
    if (chunk === INTERRUPTED || chunk === TIMED_OUT) return;
    if (chunk === null) return onEnd();
    if ((await onChunk(chunk)) === false) return;
  }
}

/** What Toxiproxy's noop toxic does; also what a toxic does on a link its toxicity spared. */
export function pipeUnchanged(stub: ToxicStub): Promise<void> {
  return eachChunk(stub, (chunk) => stub.write(chunk));
}

export interface AttributeSpec {
  /** Unit of the integer value, as Toxiproxy documents it. */
  readonly unit: 'ms' | 'KB/s' | 'bytes' | 'µs';
  readonly description: string;
  /** The Go type Toxiproxy decodes it into (int64 or int): only integers are accepted. */
  readonly goType: 'int64' | 'int';
  /**
   * The API takes an absent attribute as 0, as Toxiproxy does; the lab's CLI and scenario files
   * refuse to leave out a required one, whose 0 would make the toxic do nothing (a 0 ms latency)
   * or something nobody means by omission (a 0 KB/s bandwidth stops all data).
   */
  readonly required?: boolean;
}

/** An attribute Toxiproxy decodes into an int64 (`int` for the Go `int` ones). */
export function int64(
  unit: AttributeSpec['unit'],
  description: string,
  options: { required?: boolean; goType?: AttributeSpec['goType'] } = {},
): AttributeSpec {
  return {
    unit,
    description,
    goType: options.goType ?? 'int64',
    ...(options.required ? { required: true } : {}),
  };
}

export function int(unit: AttributeSpec['unit'], description: string): AttributeSpec {
  return int64(unit, description, { goType: 'int' });
}

export const REQUIRED = { required: true } as const;

export interface ToxicKind<Attribute extends string = string> {
  /** The toxic's type name in the API. */
  readonly type: string;
  /** The Go struct name, for Toxiproxy-shaped decode errors. */
  readonly goStruct: string;
  readonly description: string;
  /** Every attribute; absent ones are 0, as in Toxiproxy. */
  readonly attributes: Readonly<Record<Attribute, AttributeSpec>>;
  /** Per-connection state created when the toxic first applies to a link. */
  newState?(): unknown;
  /** Moves data from stub.input to stub.output until interrupted or the stream ends. */
  pipe(stub: ToxicStub, attributes: Readonly<Record<Attribute, number>>): Promise<void>;
  /** Called when the toxic is removed from a link (timeout closes the connections it held). */
  cleanup?(stub: ToxicStub): void;
}

/** Keeps each toxic file typed by its own attribute names while the registry holds them all. */
export function defineToxic<Attribute extends string>(kind: ToxicKind<Attribute>): ToxicKind {
  return kind as unknown as ToxicKind;
}
