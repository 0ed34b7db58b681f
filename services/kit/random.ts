import { randomFillSync } from 'node:crypto';

/**
 * mulberry32: a small seedable generator (32-bit state, one multiply-xorshift round per draw,
 * period 2^32). The lab's one copy for the services and the CLI's scenario engine
 * (cli/chaos/random.ts builds its forkable streams on it), here because services import only
 * services/kit: a seeded fault hook then draws exactly what the scenario's seed says.
 */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Random bytes as hex, served from a 4 KiB block filled at once (as Node does for randomUUID):
 * every event gets a new span id, and a randomBytes call per id showed as ~3% of a busy
 * service's CPU.
 */
const block = Buffer.allocUnsafe(4096);
let used = block.length;

export function randomHex(bytes: number): string {
  if (used + bytes > block.length) {
    randomFillSync(block);
    used = 0;
  }
  used += bytes;
  return block.toString('hex', used - bytes, used);
}
