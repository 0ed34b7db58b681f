/**
 * Reading a proxied socket into a buffer its link owns (net's `onread` option) instead of the
 * fresh 64 KiB buffer Node allocates for every read. That churn of external memory is what made
 * the proxy slow at bulk rates: V8 answers it with a full mark-compact every few hundred reads,
 * which cost the proxy more CPU than the copying itself (perf: ~1.3 s user per GiB, most of it in
 * marking; with a buffer of its own a link costs about what socat does).
 */
import net, { type Socket } from 'node:net';

/** The first read buffer of a socket; it doubles, up to the largest, each time a read fills it. */
const SMALLEST_READ_BUFFER = 16 * 1024;
const LARGEST_READ_BUFFER = 256 * 1024;

/**
 * A socket's read buffer. The same buffer is read into again as soon as nothing references its
 * previous contents: the write to the destination completed at once, or the source stays paused
 * until that write has drained. A buffer still referenced (a write waiting below the high-water
 * mark) is left to that write and the next read gets a new one (not seen in bench:proxy's bulk
 * runs). Small-message connections keep a small buffer; bulk ones grow to the largest, so one
 * read (and one write) moves more. Not beyond 256 KiB: with 1 MiB the proxy spent ~20% less CPU
 * per GiB, but its peers as much more (on loopback the kernel work moves to whoever sends the
 * ACKs and wakes the other side), so the machine as a whole gained nothing for 4x the memory.
 */
export class ReadBuffer {
  #buffer = Buffer.allocUnsafeSlow(SMALLEST_READ_BUFFER);
  /** Takes what was read; true when the buffer may be read into again at once. */
  #deliver: ((data: Buffer) => boolean) | undefined;

  /** For `net.connect({ ..., onread })` and `new net.Socket({ ..., onread })`. */
  readonly onread = {
    buffer: (): Buffer => this.#buffer,
    callback: (length: number): boolean => {
      const buffer = this.#buffer;
      const reusable = this.#deliver?.(buffer.subarray(0, length)) ?? false;
      const grow = length === buffer.length && buffer.length < LARGEST_READ_BUFFER;
      if (grow || !reusable) this.#buffer = Buffer.allocUnsafeSlow(grow ? buffer.length * 2 : buffer.length);
      return true; // pausing is the link's: socket.pause() stops reading in this mode too
    },
  };

  /**
   * Where reads go from now on: a link, which attaches before the socket's first read (accepted
   * sockets are paused until then, connected ones start reading after their 'connect' listeners).
   */
  attach(deliver: (data: Buffer) => boolean): void {
    this.#deliver = deliver;
  }
}

/** The one internal this module relies on: a socket's libuv handle (Node has had it for ever). */
interface WithHandle {
  _handle: object | null;
}

/**
 * net.Server has no `onread` option, so an accepted socket moves to a new Socket that has one:
 * the server's Socket gives up its handle (`_handle`) and is destroyed without closing it (the
 * server counts it as closed), and the new Socket, created paused as the server's was, takes the
 * handle over with a ReadBuffer. Call it before anything reads the accepted socket
 * (`pauseOnConnect`). Where the handle cannot be taken (a runtime without that field, a socket
 * already closed), the accepted socket is kept (readBuffer undefined) and reads as Node does by
 * default; a test checks that this Node takes the fast path.
 */
export function withReadBuffer(accepted: Socket): { socket: Socket; readBuffer: ReadBuffer | undefined } {
  const internal = accepted as unknown as WithHandle;
  const handle = internal._handle;
  if (handle === null || typeof handle !== 'object' || accepted.destroyed) {
    return { socket: accepted, readBuffer: undefined };
  }
  internal._handle = null;
  accepted.destroy();
  const readBuffer = new ReadBuffer();
  const socket = new net.Socket({
    handle,
    allowHalfOpen: true,
    pauseOnCreate: true,
    noDelay: true,
    onread: readBuffer.onread,
  } as net.SocketConstructorOpts);
  return { socket, readBuffer };
}
