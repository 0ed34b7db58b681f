/**
 * The seeded random source. Every random choice of a run (workload customers and lines, fault
 * decisions) draws from a stream forked from the run's seed by a label, e.g. `workload` or
 * `fault:2:duplicate`, so adding a fault never shifts the workload's draws and the same seed always
 * gives the same choices.
 *
 * Generator: mulberry32 (services/kit/random.ts, shared with the services' seeded fault hooks; a
 * 32-bit state, one multiply-xorshift round per draw; period 2^32), which is plenty for choosing
 * customers and lines. Labels are mixed into the seed with FNV-1a and a murmur3 finaliser, so
 * nearby seeds and similar labels still give unrelated streams.
 */
import { mulberry32 } from '../../services/kit/random.ts';

export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both inclusive. */
  int(min: number, max: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** true with this probability. */
  chance(probability: number): boolean;
  /** `count` distinct elements of the list (count <= length), in draw order. */
  sample<T>(items: readonly T[], count: number): T[];
  /** An independent stream for a sub-purpose. */
  fork(label: string): Random;
  readonly seed: number;
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** murmur3's 32-bit finaliser: spreads every input bit over the output. */
function mix(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function deriveSeed(seed: number, label: string): number {
  return mix((seed >>> 0) ^ fnv1a(label) ^ Math.floor(seed / 0x1_0000_0000));
}

export function createRandom(seed: number): Random {
  const next = mulberry32(mix(seed >>> 0 || 0x9e3779b9));
  const random: Random = {
    seed,
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[Math.floor(next() * items.length)]!;
    },
    chance: (probability) => next() < probability,
    sample: (items, count) => {
      const pool = [...items];
      const chosen: (typeof items)[number][] = [];
      for (let index = 0; index < count && pool.length > 0; index++) {
        const at = Math.floor(next() * pool.length);
        chosen.push(pool[at]!);
        pool.splice(at, 1);
      }
      return chosen;
    },
    fork: (label) => createRandom(deriveSeed(seed, label)),
  };
  return random;
}
