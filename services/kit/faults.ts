import type { DuplicateFault } from './config.ts';
import { mulberry32 } from './random.ts';

/**
 * The duplicate fault as POST /admin/faults sets it. With a seed, the "extra copies?" draws come
 * from mulberry32(seed): the same seed gives the same sequence of decisions (the n-th event the
 * relay publishes after the hook is set), which `lab chaos --seed` relies on.
 */
export interface DuplicateHook extends DuplicateFault {
  seed?: number;
}

export interface FaultSnapshot {
  duplicate: DuplicateHook | null;
  relay_crash: boolean;
}

/**
 * Fault hooks the scenario engine flips at run time (POST /admin/faults, SCHEMA.md "Fault hooks").
 * They live in the process: a restart returns to the env defaults, which is what a crash fault wants.
 */
export class FaultHooks {
  relayCrash = false;
  #duplicate: DuplicateHook | undefined;
  /** Where the duplicate fault's draws come from: its seed's own stream, else the unseeded source. */
  #draw: () => number;
  readonly #default: DuplicateFault | undefined;
  readonly #random: () => number;

  constructor(options: { duplicateDefault?: DuplicateFault | undefined; random?: () => number } = {}) {
    this.#default = options.duplicateDefault;
    this.#random = options.random ?? Math.random;
    this.#draw = this.#random;
    this.setDuplicate(options.duplicateDefault);
  }

  get duplicate(): DuplicateHook | undefined {
    return this.#duplicate;
  }

  /** Sets (undefined: clears) the duplicate fault; a seed starts its draws over from that seed. */
  setDuplicate(fault: DuplicateHook | undefined): void {
    this.#duplicate = fault;
    this.#draw = fault?.seed === undefined ? this.#random : mulberry32(fault.seed);
  }

  /** How many extra copies of the next event to publish (0 unless the duplicate fault fires). */
  extraCopies(): number {
    const fault = this.#duplicate;
    if (!fault || fault.copies <= 0) return 0;
    return this.#draw() < fault.probability ? fault.copies : 0;
  }

  /**
   * What to publish for `events`: each followed by the extra copies the duplicate fault asks for
   * (back to back, as a producer retry would), and how many extra copies each one got.
   */
  withCopies<T>(events: readonly T[]): { sent: T[]; copies: number[] } {
    const sent: T[] = [];
    const copies: number[] = [];
    for (const event of events) {
      const extra = this.extraCopies();
      copies.push(extra);
      for (let copy = 0; copy <= extra; copy++) sent.push(event);
    }
    return { sent, copies };
  }

  /** True once after relay_crash was armed: the caller then dies before marking. */
  takeRelayCrash(): boolean {
    const armed = this.relayCrash;
    this.relayCrash = false;
    return armed;
  }

  reset(): void {
    this.setDuplicate(undefined);
    this.relayCrash = false;
  }

  resetToDefaults(): void {
    this.setDuplicate(this.#default);
    this.relayCrash = false;
  }

  snapshot(): FaultSnapshot {
    return { duplicate: this.#duplicate ?? null, relay_crash: this.relayCrash };
  }
}
