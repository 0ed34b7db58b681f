/**
 * Decoder for Kafka's wire primitives (big-endian fixed ints, zigzag varints, strings, bytes,
 * arrays and their "compact" forms used by flexible API versions, plus tagged fields).
 *
 * Every read checks bounds and throws MalformedFrameError, so a bad frame can be turned into
 * "close this connection" by the broker instead of crashing the process.
 */

export class MalformedFrameError extends Error {
  override name = 'MalformedFrameError';
}

export class Reader {
  readonly buffer: Buffer;
  offset: number;
  private readonly end: number;

  constructor(buffer: Buffer, offset = 0, end = buffer.length) {
    this.buffer = buffer;
    this.offset = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(bytes: number, what: string): number {
    if (bytes < 0 || this.offset + bytes > this.end) {
      throw new MalformedFrameError(
        `frame too short reading ${what} (${bytes} bytes at ${this.offset}, end ${this.end})`,
      );
    }
    const at = this.offset;
    this.offset += bytes;
    return at;
  }

  int8(): number {
    return this.buffer.readInt8(this.need(1, 'int8'));
  }

  boolean(): boolean {
    return this.int8() !== 0;
  }

  int16(): number {
    return this.buffer.readInt16BE(this.need(2, 'int16'));
  }

  int32(): number {
    return this.buffer.readInt32BE(this.need(4, 'int32'));
  }

  uint32(): number {
    return this.buffer.readUInt32BE(this.need(4, 'uint32'));
  }

  int64(): bigint {
    return this.buffer.readBigInt64BE(this.need(8, 'int64'));
  }

  /** int64 as a JS number; offsets and timestamps stay far below 2^53. */
  int64Number(): number {
    return Number(this.int64());
  }

  /** Unsigned LEB128 varint (up to 32 bits), used by compact lengths and tagged fields. */
  uvarint(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const byte = this.buffer.readUInt8(this.need(1, 'varint'));
      result += (byte & 0x7f) * 2 ** shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7;
      if (shift > 28) throw new MalformedFrameError('varint longer than 5 bytes');
    }
  }

  /** Zigzag-encoded signed varint (32 bits). */
  varint(): number {
    const raw = this.uvarint();
    // zigzag: (n >>> 1) ^ -(n & 1), done in floating point-safe arithmetic for 32-bit values
    return raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
  }

  /** Zigzag-encoded signed varlong (64 bits). */
  varlong(): bigint {
    let raw = 0n;
    let shift = 0n;
    for (;;) {
      const byte = this.buffer.readUInt8(this.need(1, 'varlong'));
      raw |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) break;
      shift += 7n;
      if (shift > 63n) throw new MalformedFrameError('varlong longer than 10 bytes');
    }
    return (raw >> 1n) ^ -(raw & 1n);
  }

  varlongNumber(): number {
    return Number(this.varlong());
  }

  raw(length: number): Buffer {
    const at = this.need(length, 'raw bytes');
    return this.buffer.subarray(at, at + length);
  }

  uuid(): Buffer {
    return this.raw(16);
  }

  string(): string {
    return required(this.nullableString(), 'null where a string was required');
  }

  nullableString(): string | null {
    return this.sized(this.int16())?.toString('utf8') ?? null;
  }

  compactString(): string {
    return required(this.compactNullableString(), 'null where a compact string was required');
  }

  /** Compact lengths are stored plus one, so that 0 is null. */
  compactNullableString(): string | null {
    return this.sized(this.uvarint() - 1)?.toString('utf8') ?? null;
  }

  bytes(): Buffer {
    return required(this.nullableBytes(), 'null where bytes were required');
  }

  nullableBytes(): Buffer | null {
    return this.sized(this.int32());
  }

  compactBytes(): Buffer {
    return required(this.compactNullableBytes(), 'null where compact bytes were required');
  }

  compactNullableBytes(): Buffer | null {
    return this.sized(this.uvarint() - 1);
  }

  /** Varint-length bytes as used inside records (-1 = null). */
  varintBytes(): Buffer | null {
    return this.sized(this.varint());
  }

  /** The next `length` bytes; a negative length is null. */
  private sized(length: number): Buffer | null {
    return length < 0 ? null : this.raw(length);
  }

  /** Kafka's recurring `[topics => name [partitions => ...]]`, each partition read by `readPartition`. */
  topics<P>(readPartition: (reader: Reader) => P): Array<{ name: string; partitions: P[] }> {
    return this.array((topic) => ({ name: topic.string(), partitions: topic.array(readPartition) }));
  }

  array<T>(readItem: (reader: Reader) => T): T[] {
    const items = this.nullableArray(readItem);
    return items ?? [];
  }

  nullableArray<T>(readItem: (reader: Reader) => T): T[] | null {
    const count = this.int32();
    if (count < 0) return null;
    return this.items(count, readItem);
  }

  compactArray<T>(readItem: (reader: Reader) => T): T[] {
    return this.compactNullableArray(readItem) ?? [];
  }

  compactNullableArray<T>(readItem: (reader: Reader) => T): T[] | null {
    const countPlusOne = this.uvarint();
    if (countPlusOne === 0) return null;
    return this.items(countPlusOne - 1, readItem);
  }

  private items<T>(count: number, readItem: (reader: Reader) => T): T[] {
    // every item takes at least one byte: refuse absurd counts before allocating
    if (count > this.remaining) {
      throw new MalformedFrameError(`array count ${count} exceeds the ${this.remaining} bytes left`);
    }
    const items: T[] = [];
    for (let index = 0; index < count; index++) items.push(readItem(this));
    return items;
  }

  /**
   * Tagged fields of a flexible version. Returns them by tag; callers that know a tag decode its
   * payload themselves, unknown tags are ignored as the protocol requires.
   */
  taggedFields(): Map<number, Buffer> {
    const fields = new Map<number, Buffer>();
    const count = this.uvarint();
    for (let index = 0; index < count; index++) {
      const tag = this.uvarint();
      const size = this.uvarint();
      fields.set(tag, this.raw(size));
    }
    return fields;
  }
}

/** A value the protocol says may not be null here. */
function required<T>(value: T | null, message: string): T {
  if (value === null) throw new MalformedFrameError(message);
  return value;
}
