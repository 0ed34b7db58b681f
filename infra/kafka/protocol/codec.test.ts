import { describe, expect, it } from 'vitest';
import { readRequestHeader } from './header.ts';
import { MalformedFrameError, Reader } from './reader.ts';
import { Writer } from './writer.ts';

describe('varints', () => {
  it('zigzag-encodes signed varints like the Kafka spec examples', () => {
    const cases: Array<[number, number[]]> = [
      [0, [0x00]],
      [-1, [0x01]],
      [1, [0x02]],
      [-2, [0x03]],
      [63, [0x7e]],
      [-64, [0x7f]],
      [64, [0x80, 0x01]],
      [300, [0xd8, 0x04]],
      [2147483647, [0xfe, 0xff, 0xff, 0xff, 0x0f]],
      [-2147483648, [0xff, 0xff, 0xff, 0xff, 0x0f]],
    ];
    for (const [value, bytes] of cases) {
      const written = new Writer().varint(value).toBuffer();
      expect([...written], `varint ${value}`).toEqual(bytes);
      expect(new Reader(written).varint()).toBe(value);
    }
  });

  it('round-trips varlongs across the 64-bit range', () => {
    for (const value of [0n, 1n, -1n, 1700000000000n, -(2n ** 63n), 2n ** 63n - 1n]) {
      const written = new Writer().varlong(value).toBuffer();
      expect(new Reader(written).varlong()).toBe(value);
    }
    expect([...new Writer().varlong(-(2n ** 63n)).toBuffer()]).toHaveLength(10);
  });

  it('round-trips unsigned varints', () => {
    for (const value of [0, 127, 128, 16383, 16384, 2 ** 32 - 1]) {
      expect(new Reader(new Writer().uvarint(value).toBuffer()).uvarint()).toBe(value);
    }
  });
});

describe('strings, bytes, arrays', () => {
  it('round-trips classic and compact forms, including nulls', () => {
    const buffer = new Writer()
      .string('héllo')
      .nullableString(null)
      .compactString('abc')
      .compactNullableString(null)
      .bytes(Buffer.from([1, 2, 3]))
      .nullableBytes(null)
      .compactBytes(Buffer.from([9]))
      .array([1, 2, 3], (w, n) => w.int32(n))
      .compactArray(['x', 'y'], (w, s) => w.compactString(s))
      .taggedFields(new Map([[3, Buffer.from([7])]]))
      .int64(-5n)
      .toBuffer();
    const reader = new Reader(buffer);
    expect(reader.string()).toBe('héllo');
    expect(reader.nullableString()).toBeNull();
    expect(reader.compactString()).toBe('abc');
    expect(reader.compactNullableString()).toBeNull();
    expect([...reader.bytes()]).toEqual([1, 2, 3]);
    expect(reader.nullableBytes()).toBeNull();
    expect([...reader.compactBytes()]).toEqual([9]);
    expect(reader.array((r) => r.int32())).toEqual([1, 2, 3]);
    expect(reader.compactArray((r) => r.compactString())).toEqual(['x', 'y']);
    expect([...(reader.taggedFields().get(3) ?? [])]).toEqual([7]);
    expect(reader.int64()).toBe(-5n);
    expect(reader.remaining).toBe(0);
  });

  it('refuses truncated input and absurd array counts', () => {
    expect(() => new Reader(Buffer.from([0, 5, 65])).string()).toThrow(MalformedFrameError);
    expect(() => new Reader(Buffer.from([0x7f, 0xff, 0xff, 0xff])).array((r) => r.int8())).toThrow(
      MalformedFrameError,
    );
  });
});

describe('request header', () => {
  it('parses v1 (classic) and v2 (flexible, with tagged fields) headers', () => {
    const v1 = new Writer().int16(3).int16(5).int32(42).nullableString('kafkajs').toBuffer();
    expect(readRequestHeader(new Reader(v1))).toEqual({
      apiKey: 3,
      apiVersion: 5,
      correlationId: 42,
      clientId: 'kafkajs',
      flexible: false,
    });
    const v2 = new Writer()
      .int16(18)
      .int16(3)
      .int32(1)
      .nullableString('rdkafka')
      .taggedFields()
      .compactString('librdkafka')
      .toBuffer();
    const reader = new Reader(v2);
    expect(readRequestHeader(reader)).toMatchObject({ apiKey: 18, apiVersion: 3, flexible: true });
    expect(reader.compactString()).toBe('librdkafka');
  });
});
