/** The state a reporter shows while a scenario runs, folded from the engine's events. */
import type { EngineEvent, Phase } from '../engine.ts';
import type { ActiveFaultView } from '../timeline.ts';

export interface Progress {
  scenario?: string;
  seed?: number;
  runDir?: string;
  phase?: Phase;
  totalOrders: number;
  done: number;
  outcomes: { ok: number; fail: number; info: number };
  faults: ActiveFaultView[];
  lastLog?: string;
  startedAt: number;
}

export function initialProgress(): Progress {
  return {
    totalOrders: 0,
    done: 0,
    outcomes: { ok: 0, fail: 0, info: 0 },
    faults: [],
    startedAt: Date.now(),
  };
}

export function reduceProgress(progress: Progress, event: EngineEvent): Progress {
  switch (event.type) {
    case 'start':
      return {
        ...initialProgress(),
        scenario: event.scenario.name,
        seed: event.seed,
        runDir: event.runDir,
        totalOrders: event.scenario.workload.orders,
      };
    case 'phase':
      return { ...progress, phase: event.phase };
    case 'operation':
      return {
        ...progress,
        done: progress.done + 1,
        outcomes: { ...progress.outcomes, [event.entry.outcome]: progress.outcomes[event.entry.outcome] + 1 },
      };
    case 'faults':
      return { ...progress, faults: event.active };
    case 'log':
      return { ...progress, lastLog: event.message };
    default:
      return progress;
  }
}

/** A minimal observable store for the live view. */
export class ProgressStore {
  #progress = initialProgress();
  readonly #listeners = new Set<(progress: Progress) => void>();

  get(): Progress {
    return this.#progress;
  }

  dispatch(event: EngineEvent): void {
    this.#progress = reduceProgress(this.#progress, event);
    for (const listener of this.#listeners) listener(this.#progress);
  }

  subscribe(listener: (progress: Progress) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }
}
