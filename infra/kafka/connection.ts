/**
 * One client connection: frames requests (int32 size + payload), dispatches them through the
 * registry and writes the responses back strictly in request order, even when a later request
 * (a Produce) completes before an earlier one (a long-polling Fetch), as Kafka guarantees.
 *
 * A frame that cannot be decoded, an oversized frame or a request for an API version the broker
 * does not implement closes this connection only (logged); ApiVersions with a version we do
 * not know is answered with UNSUPPORTED_VERSION and our version list, so clients such as
 * librdkafka (which opens with ApiVersions v3) can retry with a version we speak.
 */
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import type { BrokerCore } from './broker-core.ts';
import { ApiKey, apiName, ErrorCode } from './protocol/api-keys.ts';
import type { ListenerInfo, RequestContext } from './protocol/context.ts';
import { type RequestHeader, readRequestHeader, writeResponseHeader } from './protocol/header.ts';
import { Reader } from './protocol/reader.ts';
import { type ApiRegistry, NO_RESPONSE } from './protocol/registry.ts';
import { Writer } from './protocol/writer.ts';

interface ResponseSlot {
  ready: boolean;
  /** null: the request gets no response (Produce acks=0) */
  frame: Buffer | null;
}

export class Connection {
  private readonly socket: Socket;
  private readonly broker: BrokerCore;
  private readonly registry: ApiRegistry;
  private readonly listener: ListenerInfo;
  private readonly logger: Logger;
  private readonly id: number;
  private readonly abort = new AbortController();
  private readonly slots: ResponseSlot[] = [];
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private closed = false;
  private clientId: string | null = null;

  constructor(options: {
    id: number;
    socket: Socket;
    broker: BrokerCore;
    registry: ApiRegistry;
    listener: ListenerInfo;
    logger: Logger;
  }) {
    this.id = options.id;
    this.socket = options.socket;
    this.broker = options.broker;
    this.registry = options.registry;
    this.listener = options.listener;
    this.logger = options.logger.child({ connection: options.id, remote: this.remoteAddress });
    this.socket.setNoDelay(true);
    // notice peers that vanished without a FIN (a killed client behind a black-holing proxy)
    this.socket.setKeepAlive(true, 30_000);
    this.socket.on('data', (chunk) => this.onData(chunk as Buffer));
    this.socket.on('error', (error) => this.logger.debug({ err: error }, 'socket error'));
    this.socket.on('close', () => this.onClose());
  }

  get remoteAddress(): string {
    return `${this.socket.remoteAddress}:${this.socket.remotePort}`;
  }

  close(): void {
    if (!this.socket.destroyed) this.socket.destroy();
    this.onClose();
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
  }

  private onData(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    while (!this.closed && this.pendingBytes >= 4) {
      // read the size from the first chunk when it can; concatenate only once a frame is whole
      const first = this.pending[0] as Buffer;
      const size = (first.length >= 4 ? first : this.flatten()).readInt32BE(0);
      if (size < 8 || size > this.broker.config.maxRequestBytes) {
        this.malformed(`frame size ${size} outside [8, ${this.broker.config.maxRequestBytes}]`);
        return;
      }
      if (this.pendingBytes < 4 + size) return;
      const buffer = this.flatten();
      const frame = buffer.subarray(4, 4 + size);
      const rest = buffer.subarray(4 + size);
      this.pending = rest.length > 0 ? [rest] : [];
      this.pendingBytes = rest.length;
      this.dispatch(frame);
    }
  }

  private flatten(): Buffer {
    if (this.pending.length > 1) this.pending = [Buffer.concat(this.pending)];
    return this.pending[0] as Buffer;
  }

  private malformed(reason: string, header?: RequestHeader): void {
    this.logger.warn(
      { reason, apiKey: header?.apiKey, apiVersion: header?.apiVersion, clientId: this.clientId },
      'malformed request: closing the connection',
    );
    this.close();
  }

  private dispatch(frame: Buffer): void {
    const reader = new Reader(frame);
    let header: RequestHeader;
    try {
      header = readRequestHeader(reader);
    } catch (error) {
      this.malformed(`bad request header: ${(error as Error).message}`);
      return;
    }
    this.clientId = header.clientId;
    const handler = this.registry.lookup(header.apiKey, header.apiVersion);
    if (!handler) {
      if (header.apiKey === ApiKey.ApiVersions) {
        this.respond(header, (writer) => this.writeUnsupportedApiVersions(writer));
        return;
      }
      this.malformed(`unsupported API ${apiName(header.apiKey)} v${header.apiVersion}`, header);
      return;
    }
    let request: unknown;
    try {
      request = handler.decode(reader, header);
    } catch (error) {
      this.malformed(
        `cannot decode ${apiName(header.apiKey)} v${header.apiVersion}: ${(error as Error).message}`,
        header,
      );
      return;
    }
    const slot: ResponseSlot = { ready: false, frame: null };
    this.slots.push(slot);
    const ctx: RequestContext = {
      header,
      listener: this.listener,
      connection: { id: this.id, remoteAddress: this.remoteAddress, clientId: header.clientId },
      logger: this.logger,
      nodeId: this.broker.nodeId,
      clusterId: this.broker.clusterId,
      topics: this.broker.topics,
      coordinator: this.broker.coordinator,
      broker: this.broker,
      signal: this.abort.signal,
    };
    // handle() is called synchronously, in arrival order: appends from one connection keep
    // their order even though responses may complete out of order
    let outcome: unknown;
    try {
      outcome = handler.handle(request, ctx);
    } catch (error) {
      this.failed(header, error);
      return;
    }
    Promise.resolve(outcome).then(
      (response) => {
        if (response !== NO_RESPONSE) {
          slot.frame = this.frame(header, (writer) => handler.encode(writer, response, header));
        }
        slot.ready = true;
        this.flush();
      },
      (error: unknown) => this.failed(header, error),
    );
  }

  private failed(header: RequestHeader, error: unknown): void {
    this.logger.error(
      { err: error, apiKey: header.apiKey, apiVersion: header.apiVersion },
      `${apiName(header.apiKey)} handler failed: closing the connection`,
    );
    this.close();
  }

  private respond(header: RequestHeader, writeBody: (writer: Writer) => void): void {
    this.slots.push({ ready: true, frame: this.frame(header, writeBody) });
    this.flush();
  }

  private frame(header: RequestHeader, writeBody: (writer: Writer) => void): Buffer {
    const writer = new Writer();
    writer.int32(0);
    writeResponseHeader(writer, header);
    writeBody(writer);
    writer.patchInt32(0, writer.size - 4);
    // the writer is this frame's alone: its bytes go out without another copy (a Fetch frame
    // is mostly record bytes, up to the fetch's max bytes)
    return writer.view();
  }

  /** ApiVersions v0 body with UNSUPPORTED_VERSION: what Kafka answers to a too-new version. */
  private writeUnsupportedApiVersions(writer: Writer): void {
    writer.int16(ErrorCode.UNSUPPORTED_VERSION);
    writer.array(this.registry.ranges(), (w, range) => {
      w.int16(range.apiKey).int16(range.minVersion).int16(range.maxVersion);
    });
  }

  private flush(): void {
    while (this.slots[0]?.ready) {
      const slot = this.slots.shift() as ResponseSlot;
      if (slot.frame && !this.closed) this.socket.write(slot.frame);
    }
  }
}
