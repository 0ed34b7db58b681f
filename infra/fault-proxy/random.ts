import { randomInt } from 'node:crypto';

/**
 * A small seedable random source (mulberry32). Toxicity draws, latency jitter and slicer sizes all
 * come from one of these, so a run started with the same seed draws the same sequence.
 */
export interface Random {
  /** The seed this source started from (reported so an unseeded run can be replayed). */
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, maxExclusive); 0 when maxExclusive <= 0. */
  int(maxExclusive: number): number;
}

export function createRandom(seed: number = randomInt(0x7fffffff)): Random {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    seed,
    next,
    int: (maxExclusive) => (maxExclusive <= 0 ? 0 : Math.floor(next() * maxExclusive)),
  };
}
