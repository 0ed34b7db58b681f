/**
 * A bare Kafka protocol client for tests: sends hand-built request frames and returns the
 * response bodies, so tests can check exact error codes, ordering and byte-level behaviour that
 * kafkajs and kcat hide (duplicate batches, out-of-order sequences, malformed frames).
 */
import { connect, type Socket } from 'node:net';
import { Reader } from '../protocol/reader.ts';
import { Writer } from '../protocol/writer.ts';

export class RawClient {
  private readonly socket: Socket;
  private buffered = Buffer.alloc(0);
  private nextCorrelationId = 1;
  private readonly waiting = new Map<number, (body: Reader) => void>();
  /** correlation ids in the order their responses arrived */
  readonly arrivals: number[] = [];
  readonly closed: Promise<void>;

  private constructor(socket: Socket) {
    this.socket = socket;
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, chunk]);
      while (this.buffered.length >= 4) {
        const size = this.buffered.readInt32BE(0);
        if (this.buffered.length < 4 + size) break;
        const frame = this.buffered.subarray(4, 4 + size);
        this.buffered = this.buffered.subarray(4 + size);
        const reader = new Reader(frame);
        const correlationId = reader.int32();
        this.arrivals.push(correlationId);
        this.waiting.get(correlationId)?.(reader);
        this.waiting.delete(correlationId);
      }
    });
  }

  static connect(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ port, host }, () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  /**
   * Sends a request with header v1 (or v2, with its tagged fields, when `flexible`); resolves
   * with the response body reader (for a flexible response, positioned at the header's tagged
   * fields, which the caller reads first).
   */
  send(
    apiKey: number,
    version: number,
    writeBody: (writer: Writer) => void,
    flexible = false,
  ): { correlationId: number; response: Promise<Reader> } {
    const correlationId = this.nextCorrelationId++;
    const writer = new Writer()
      .int32(0)
      .int16(apiKey)
      .int16(version)
      .int32(correlationId)
      .nullableString('raw-test');
    if (flexible) writer.taggedFields();
    writeBody(writer);
    writer.patchInt32(0, writer.size - 4);
    const response = new Promise<Reader>((resolve) => this.waiting.set(correlationId, resolve));
    this.socket.write(writer.toBuffer());
    return { correlationId, response };
  }

  request(apiKey: number, version: number, writeBody: (writer: Writer) => void): Promise<Reader> {
    return this.send(apiKey, version, writeBody).response;
  }

  writeRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
  }
}

/** Produce v3 of one batch to one partition; returns [errorCode, baseOffset]. */
/**
 * The first partition of a produce or fetch response's topics array: each topic is its name and
 * its partitions, each partition its index and then what `parse` reads.
 */
function firstPartition<T>(reader: Reader, parse: (partition: Reader) => T): T | undefined {
  const [topic] = reader.array((t) => {
    t.string();
    return t.array((p) => {
      p.int32();
      return parse(p);
    });
  });
  return topic?.[0];
}

export async function produceBatch(
  client: RawClient,
  options: { topic: string; partition: number; batch: Buffer; acks?: number },
): Promise<{ errorCode: number; baseOffset: number }> {
  const reader = await client.request(0, 3, (w) => {
    w.nullableString(null)
      .int16(options.acks ?? -1)
      .int32(5000);
    w.array([options.topic], (tw, topic) => {
      tw.string(topic).array([options.partition], (pw, partition) =>
        pw.int32(partition).bytes(options.batch),
      );
    });
  });
  const result = firstPartition(reader, (partition) => {
    const errorCode = partition.int16();
    const baseOffset = partition.int64Number();
    partition.int64();
    return { errorCode, baseOffset };
  });
  return result ?? { errorCode: -999, baseOffset: -1 };
}

/** One partition's Fetch v4 from `offset`. */
export interface FetchOptions {
  topic: string;
  partition: number;
  offset: number;
  maxWaitMs?: number;
  minBytes?: number;
  maxBytes?: number;
}

/** Fetch v4 of one partition; returns the error code, high watermark and raw record bytes. */
export async function fetchPartition(
  client: RawClient,
  options: FetchOptions,
): Promise<{ errorCode: number; highWatermark: number; records: Buffer }> {
  return parseFetchV4(await fetchRequest(client, options).response);
}

export function fetchRequest(
  client: RawClient,
  options: FetchOptions,
): { correlationId: number; response: Promise<Reader> } {
  return client.send(1, 4, (w) => {
    w.int32(-1)
      .int32(options.maxWaitMs ?? 0)
      .int32(options.minBytes ?? 1)
      .int32(options.maxBytes ?? 10_000_000)
      .int8(0);
    w.array([options.topic], (tw, topic) => {
      tw.string(topic).array([options.partition], (pw, partition) => {
        pw.int32(partition)
          .int64(options.offset)
          .int32(options.maxBytes ?? 10_000_000);
      });
    });
  });
}

export function parseFetchV4(reader: Reader): { errorCode: number; highWatermark: number; records: Buffer } {
  reader.int32(); // throttle
  const result = firstPartition(reader, (p) => {
    const errorCode = p.int16();
    const highWatermark = p.int64Number();
    p.int64();
    p.array((a) => [a.int64(), a.int64()]);
    return { errorCode, highWatermark, records: p.nullableBytes() ?? Buffer.alloc(0) };
  });
  return result ?? { errorCode: -999, highWatermark: -1, records: Buffer.alloc(0) };
}

/** Every record of a partition, from offset 0 to the high watermark. */
export async function readAll(
  client: RawClient,
  topic: string,
  partition: number,
): Promise<Array<{ offset: number; key: string | null; value: string | null }>> {
  const { decodeRecords, splitBatches } = await import('../protocol/records.ts');
  const out: Array<{ offset: number; key: string | null; value: string | null }> = [];
  let offset = 0;
  for (;;) {
    const fetched = await fetchPartition(client, { topic, partition, offset, maxBytes: 4 * 1024 * 1024 });
    if (fetched.errorCode !== 0) throw new Error(`fetch error ${fetched.errorCode}`);
    for (const batch of splitBatches(fetched.records).batches) {
      for (const record of decodeRecords(batch)) {
        if (record.offset < offset) continue;
        out.push({
          offset: record.offset,
          key: record.key?.toString() ?? null,
          value: record.value?.toString() ?? null,
        });
      }
    }
    offset = out.length > 0 ? (out[out.length - 1] as { offset: number }).offset + 1 : offset;
    if (offset >= fetched.highWatermark) return out;
  }
}
