/**
 * Encoder for Kafka's wire primitives: the mirror of reader.ts. Grows its buffer as needed;
 * `toBuffer()` returns exactly the bytes written.
 */

export class Writer {
  private buffer: Buffer;
  private length = 0;

  constructor(initialCapacity = 256) {
    this.buffer = Buffer.allocUnsafe(initialCapacity);
  }

  get size(): number {
    return this.length;
  }

  private reserve(bytes: number): number {
    const needed = this.length + bytes;
    if (needed > this.buffer.length) {
      const grown = Buffer.allocUnsafe(Math.max(needed, this.buffer.length * 2));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    const at = this.length;
    this.length = needed;
    return at;
  }

  int8(value: number): this {
    const at = this.reserve(1);
    this.buffer.writeInt8(value, at);
    return this;
  }

  boolean(value: boolean): this {
    return this.int8(value ? 1 : 0);
  }

  int16(value: number): this {
    const at = this.reserve(2);
    this.buffer.writeInt16BE(value, at);
    return this;
  }

  int32(value: number): this {
    const at = this.reserve(4);
    this.buffer.writeInt32BE(value, at);
    return this;
  }

  uint32(value: number): this {
    const at = this.reserve(4);
    this.buffer.writeUInt32BE(value >>> 0, at);
    return this;
  }

  int64(value: bigint | number): this {
    const at = this.reserve(8);
    this.buffer.writeBigInt64BE(BigInt(value), at);
    return this;
  }

  /** Unsigned LEB128 varint (non-negative values up to 2^32 - 1). */
  uvarint(value: number): this {
    let rest = value;
    while (rest >= 0x80) {
      const at = this.reserve(1);
      this.buffer.writeUInt8((rest % 0x80) | 0x80, at);
      rest = Math.floor(rest / 0x80);
    }
    const at = this.reserve(1);
    this.buffer.writeUInt8(rest, at);
    return this;
  }

  /** Zigzag-encoded signed 32-bit varint. */
  varint(value: number): this {
    return this.uvarint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  /** Zigzag-encoded signed 64-bit varlong. */
  varlong(value: bigint | number): this {
    const signed = BigInt(value);
    let rest = BigInt.asUintN(64, (signed << 1n) ^ (signed >> 63n));
    while (rest >= 0x80n) {
      const at = this.reserve(1);
      this.buffer.writeUInt8(Number(rest & 0x7fn) | 0x80, at);
      rest >>= 7n;
    }
    const at = this.reserve(1);
    this.buffer.writeUInt8(Number(rest), at);
    return this;
  }

  raw(bytes: Uint8Array): this {
    const at = this.reserve(bytes.length);
    this.buffer.set(bytes, at);
    return this;
  }

  string(value: string): this {
    return this.nullableString(value);
  }

  nullableString(value: string | null): this {
    if (value === null) return this.int16(-1);
    const bytes = Buffer.from(value, 'utf8');
    return this.int16(bytes.length).raw(bytes);
  }

  compactString(value: string): this {
    return this.compactNullableString(value);
  }

  compactNullableString(value: string | null): this {
    if (value === null) return this.uvarint(0);
    const bytes = Buffer.from(value, 'utf8');
    return this.uvarint(bytes.length + 1).raw(bytes);
  }

  bytes(value: Uint8Array): this {
    return this.nullableBytes(value);
  }

  nullableBytes(value: Uint8Array | null): this {
    if (value === null) return this.int32(-1);
    return this.int32(value.length).raw(value);
  }

  compactBytes(value: Uint8Array): this {
    return this.compactNullableBytes(value);
  }

  compactNullableBytes(value: Uint8Array | null): this {
    if (value === null) return this.uvarint(0);
    return this.uvarint(value.length + 1).raw(value);
  }

  /** Varint-length bytes as used inside records (null = -1). */
  varintBytes(value: Uint8Array | null): this {
    if (value === null) return this.varint(-1);
    return this.varint(value.length).raw(value);
  }

  array<T>(items: readonly T[], writeItem: (writer: Writer, item: T) => void): this {
    this.int32(items.length);
    for (const item of items) writeItem(this, item);
    return this;
  }

  nullableArray<T>(items: readonly T[] | null, writeItem: (writer: Writer, item: T) => void): this {
    if (items === null) return this.int32(-1);
    return this.array(items, writeItem);
  }

  compactArray<T>(items: readonly T[], writeItem: (writer: Writer, item: T) => void): this {
    this.uvarint(items.length + 1);
    for (const item of items) writeItem(this, item);
    return this;
  }

  compactNullableArray<T>(items: readonly T[] | null, writeItem: (writer: Writer, item: T) => void): this {
    if (items === null) return this.uvarint(0);
    return this.compactArray(items, writeItem);
  }

  /** Tagged fields of a flexible version; most responses have none (a single 0 byte). */
  taggedFields(fields: ReadonlyMap<number, Uint8Array> = new Map()): this {
    this.uvarint(fields.size);
    for (const [tag, payload] of [...fields].sort(([a], [b]) => a - b)) {
      this.uvarint(tag).uvarint(payload.length).raw(payload);
    }
    return this;
  }

  /** Overwrite an int32 already written (e.g. a size or CRC known only after the body). */
  patchInt32(at: number, value: number): this {
    this.buffer.writeInt32BE(value, at);
    return this;
  }

  patchUInt32(at: number, value: number): this {
    this.buffer.writeUInt32BE(value >>> 0, at);
    return this;
  }

  /** A view of the bytes written so far (not a copy; valid until the next write). */
  view(start = 0, end = this.length): Buffer {
    return this.buffer.subarray(start, end);
  }

  toBuffer(): Buffer {
    return Buffer.from(this.buffer.subarray(0, this.length));
  }
}
