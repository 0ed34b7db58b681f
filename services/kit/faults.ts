import type { DuplicateFault } from './config.ts';

export interface FaultSnapshot {
  duplicate: DuplicateFault | null;
  relay_crash: boolean;
}

/**
 * Fault hooks the scenario engine flips at run time (POST /admin/faults, SCHEMA.md "Fault hooks").
 * They live in the process: a restart returns to the env defaults, which is what a crash fault wants.
 */
export class FaultHooks {
  duplicate: DuplicateFault | undefined;
  relayCrash = false;
  readonly #default: DuplicateFault | undefined;
  readonly #random: () => number;

  constructor(options: { duplicateDefault?: DuplicateFault | undefined; random?: () => number } = {}) {
    this.#default = options.duplicateDefault;
    this.duplicate = options.duplicateDefault;
    this.#random = options.random ?? Math.random;
  }

  /** How many extra copies of the next event to publish (0 unless the duplicate fault fires). */
  extraCopies(): number {
    const fault = this.duplicate;
    if (!fault || fault.copies <= 0) return 0;
    return this.#random() < fault.probability ? fault.copies : 0;
  }

  /** True once after relay_crash was armed: the caller then dies before marking. */
  takeRelayCrash(): boolean {
    const armed = this.relayCrash;
    this.relayCrash = false;
    return armed;
  }

  reset(): void {
    this.duplicate = undefined;
    this.relayCrash = false;
  }

  resetToDefaults(): void {
    this.duplicate = this.#default;
    this.relayCrash = false;
  }

  snapshot(): FaultSnapshot {
    return { duplicate: this.duplicate ?? null, relay_crash: this.relayCrash };
  }
}
