/**
 * The fault timeline: each fault starts at its `at` (relative to the workload's start), heals after
 * its `for` (or its own delay: kill's restart_after, broker_restart's down), and anything still
 * active heals in healAll(), which the engine always calls, even on error or Ctrl-C.
 */

import { FAULT_MODULES } from './faults/index.ts';
import type { ActiveFault, FaultContext, FaultModule } from './faults/types.ts';
import type { History } from './history.ts';
import type { FaultLogEntry } from './result.ts';
import type { Fault, FaultKind } from './schema.ts';

export interface ActiveFaultView {
  index: number;
  kind: FaultKind;
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
    this.#slots = options.faults.map((fault, index) => ({
      fault,
      index,
      healed: false,
      log: { fault: index, kind: fault.kind, target: targetOf(fault) },
    }));
  }

  /** The fault log for result.json. */
  get log(): FaultLogEntry[] {
    return this.#slots.map((slot) => slot.log);
  }

  /** Whether some fault injected duplicate deliveries (for idempotent_consumers). */
  get injectedDuplicates(): boolean {
    return this.#slots.some(
      (slot) =>
        slot.log.startedMs !== undefined &&
        ['duplicate', 'redeliver', 'relay_crash'].includes(slot.fault.kind),
    );
  }

  /** Milliseconds after the start when every fault with an end of its own has ended. */
  get naturalEndMs(): number {
    return Math.max(
      0,
      ...this.#slots.map((slot) => slot.fault.at + (slot.fault.for ?? healDelay(slot.fault) ?? 0)),
    );
  }

  active(): ActiveFaultView[] {
    return this.#slots
      .filter((slot) => slot.active && !slot.healed)
      .map((slot) => ({
        index: slot.index,
        kind: slot.fault.kind,
        target: slot.active!.target,
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

  #startFault(slot: Slot): Promise<void> {
    const { fault, index } = slot;
    const context = this.#options.contextFor(index, fault);
    const module = FAULT_MODULES[fault.kind] as FaultModule<FaultKind>;
    slot.starting = (async () => {
      const time = this.#options.history.now();
      slot.log.startedMs = time;
      this.#options.history.append({
        type: 'fault',
        fault: index,
        kind: fault.kind,
        event: 'start',
        time,
        detail: slot.log.target,
      });
      try {
        slot.active = await module(fault as never, context);
        slot.log.target = slot.active.target;
      } catch (error) {
        slot.log.error = (error as Error).message;
        slot.log.startFailed = true;
        this.#options.history.append({
          type: 'fault',
          fault: index,
          kind: fault.kind,
          event: 'error',
          time: this.#options.history.now(),
          detail: slot.log.error,
        });
        this.#options.log(`fault ${index} (${fault.kind}) failed: ${slot.log.error}`);
        return;
      } finally {
        this.#options.onChange?.(this.active());
      }
      const healAfter = fault.for ?? slot.active.healAfterMs;
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
        this.#options.history.append({
          type: 'fault',
          fault: slot.index,
          kind: slot.fault.kind,
          event: 'heal',
          time,
        });
        this.#options.log(`healed fault ${slot.index} (${slot.fault.kind} ${slot.active!.target})`);
      } catch (error) {
        slot.log.error = `heal failed: ${(error as Error).message}`;
        this.#options.history.append({
          type: 'fault',
          fault: slot.index,
          kind: slot.fault.kind,
          event: 'error',
          time: this.#options.history.now(),
          detail: slot.log.error,
        });
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

function healDelay(fault: Fault): number | undefined {
  if (fault.kind === 'kill') return fault.options.restart_after;
  if (fault.kind === 'broker_restart') return fault.options.down;
  return undefined;
}

export function targetOf(fault: Fault): string {
  const options = fault.options as Record<string, unknown>;
  if (typeof options.link === 'string') return options.link;
  if (typeof options.service === 'string') return options.service;
  if (typeof options.topic === 'string') return options.topic;
  return fault.kind === 'broker_restart' ? 'kafka' : fault.kind;
}
