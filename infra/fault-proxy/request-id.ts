/**
 * Request ids in the format Toxiproxy's API sends them in `X-Toxiproxy-Request-Id` (zerolog's
 * hlog.RequestIDHandler, which uses github.com/rs/xid): 12 bytes — a 4-byte big-endian Unix time
 * in seconds, 3 bytes of machine id, 2 bytes of process id, a 3-byte counter — written as 20
 * characters of lowercase base32hex without padding. Ids sort by creation time and are unique
 * per process, which is what log correlation needs.
 */
import { randomBytes, randomInt } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuv';
const machineId = randomBytes(3);
let counter = randomInt(0, 0xffffff);

export const REQUEST_ID_HEADER = 'X-Toxiproxy-Request-Id';

export function nextRequestId(now = Date.now()): string {
  const id = Buffer.alloc(12);
  id.writeUInt32BE(Math.floor(now / 1000) >>> 0, 0);
  machineId.copy(id, 4);
  id.writeUInt16BE(process.pid & 0xffff, 7);
  counter = (counter + 1) & 0xffffff;
  id.writeUIntBE(counter, 9, 3);
  return base32hex(id);
}

/** 96 bits → 20 characters (the last one carries the final 1 bit, padded with zeros). */
function base32hex(bytes: Buffer): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}
