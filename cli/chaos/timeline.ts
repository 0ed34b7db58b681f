/**
 * The fault timeline: each fault starts at its `at` (relative to the workload's start), heals after
 * its `for` (or its own delay: kill's restart_after, broker_restart's down), and anything still
 * active heals in healAll(), which the engine always calls, even on error or Ctrl-C.
 */
import { faultDefinition } from './faults/index.ts';
import type { ActiveFault, FaultContext, FaultDefinition } from './faults/types.ts';
import type { History } from './history.ts';
import type { FaultLogEntry } from './result.ts';
import type { Fault } from './schema.ts';

export interface ActiveFaultView {
  index: number;
  kind: string;
  target: string;
  sinceMs: number;
  /** When it heals by itself, if it does. */
  untilMs?: number;
}

export interface TimelineOptions {
  faults: Fault[];
  contextFor(index: number, fault: Fault): FaultContext;
  history: History;
  onChange?(active: ActiveFaultView[]): void;
  log(message: string): void;
}

interface Slot {
  fault: Fault;
  definition: FaultDefinition<unknown>;
  target: string;
  index: number;
  log: FaultLogEntry;
  active?: ActiveFault;
  starting?: Promise<void>;
  healing?: Promise<void>;
  healed: boolean;
}

export class Timeline {
  readonly #options: TimelineOptions;
  readonly #slots: Slot[];
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #pending = new Set<Promise<void>>();
  #startedAt = 0;
  #stopped = false;

  constructor(options: TimelineOptions) {
    this.#options = options;
    this.#slots = options.faults.map((fault, index) => {
      const definition = faultDefinition(fault.kind);
      const target = definition.target(fault.options);
      return {
        fault,
        definition,
        target,
        index,
        healed: false,
        log: { fault: index, kind: fault.kind, target },
      };
    });
  }

  /** The fault log for result.json. */
  get log(): FaultLogEntry[] {
    return this.#slots.map((slot) => slot.log);
  }

  /** Whether some fault injected duplicate deliveries (for idempotent_consumers). */
  get injectedDuplicates(): boolean {
    return this.#slots.some(
      (slot) => slot.log.startedMs !== undefined && slot.definition.injectsDuplicates === true,
    );
  }

  /** Milliseconds after the start when every fault with an end of its own has ended. */
  get naturalEndMs(): number {
    return Math.max(0, ...this.#slots.map((slot) => slot.fault.at + (endsAfterMs(slot) ?? 0)));
  }

  active(): ActiveFaultView[] {
    return this.#slots
      .filter((slot) => slot.active && !slot.healed)
      .map((slot) => ({
        index: slot.index,
        kind: slot.fault.kind,
        target: slot.target,
        sinceMs: slot.log.startedMs ?? 0,
        untilMs: slot.fault.for !== undefined ? slot.fault.at + slot.fault.for : undefined,
      }));
  }

  start(): void {
    this.#startedAt = this.#options.history.now();
    for (const slot of this.#slots) this.#after(slot.fault.at, () => this.#startFault(slot));
  }

  /** Resolves once every fault has started and every fault with an end of its own has healed. */
  async settled(): Promise<void> {
    while (this.#pending.size > 0 || this.#timers.size > 0) {
      if (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Cancels faults not started yet, waits for starts in flight, heals everything still active. */
  async healAll(): Promise<void> {
    this.#stopped = true;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    await Promise.allSettled(this.#slots.map((slot) => slot.starting));
    await Promise.allSettled(this.#slots.map((slot) => this.#heal(slot)));
  }

  #after(delayMs: number, task: () => Promise<void>): void {
    const elapsed = this.#options.history.now() - this.#startedAt;
    const timer = setTimeout(
      () => {
        this.#timers.delete(timer);
        if (this.#stopped) return;
        // A failed start or heal is already in the history and the log; the heal phase retries.
        const running = task()
          .catch(() => {})
          .finally(() => this.#pending.delete(running));
        this.#pending.add(running);
      },
      Math.max(0, delayMs - elapsed),
    );
    this.#timers.add(timer);
  }

  /** A fault's start, heal or error in the run's history. */
  #record(slot: Slot, event: 'start' | 'heal' | 'error', time: number, detail?: string): void {
    this.#options.history.append({
      type: 'fault',
      fault: slot.index,
      kind: slot.fault.kind,
      event,
      time,
      ...(detail === undefined ? {} : { detail }),
    });
  }

  #startFault(slot: Slot): Promise<void> {
    const { fault, index } = slot;
    const context = this.#options.contextFor(index, fault);
    slot.starting = (async () => {
      const time = this.#options.history.now();
      slot.log.startedMs = time;
      this.#record(slot, 'start', time, slot.target);
      try {
        slot.active = await slot.definition.apply(fault.options, context);
      } catch (error) {
        slot.log.error = (error as Error).message;
        slot.log.startFailed = true;
        this.#record(slot, 'error', this.#options.history.now(), slot.log.error);
        this.#options.log(`fault ${index} (${fault.kind}) failed: ${slot.log.error}`);
        return;
      } finally {
        this.#options.onChange?.(this.active());
      }
      const healAfter = endsAfterMs(slot);
      if (healAfter !== undefined) this.#after(fault.at + healAfter, () => this.#heal(slot));
    })();
    return slot.starting;
  }

  #heal(slot: Slot): Promise<void> {
    if (!slot.active || slot.healed) return Promise.resolve();
    slot.healing ??= (async () => {
      try {
        await slot.active!.heal();
        slot.healed = true;
        const time = this.#options.history.now();
        slot.log.healedMs = time;
        this.#record(slot, 'heal', time);
        this.#options.log(`healed fault ${slot.index} (${slot.fault.kind} ${slot.target})`);
      } catch (error) {
        slot.log.error = `heal failed: ${(error as Error).message}`;
        this.#record(slot, 'error', this.#options.history.now(), slot.log.error);
        // Allow another attempt (the heal phase retries what the timeline could not).
        slot.healing = undefined;
        throw error;
      } finally {
        this.#options.onChange?.(this.active());
      }
    })();
    return slot.healing;
  }
}

/** When a fault heals after its start: its `for`, or a time of its own (kill's restart_after). */
function endsAfterMs(slot: Slot): number | undefined {
  return slot.fault.for ?? slot.definition.endsAfterMs?.(slot.fault.options);
}
