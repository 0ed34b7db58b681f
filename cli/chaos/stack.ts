/**
 * The stack around a run (or a suite of runs): reuse a running stack with the right pattern
 * switches, otherwise bring one up (or re-up it with the scenario's `without`), and afterwards
 * leave things as promised: down again if we started it, unless --keep.
 */
import { infrastructureFailure, LabError } from '../../common/errors.ts';
import type { PatternSwitch } from '../../common/roster.ts';
import type { Endpoints, Runtime } from '../runtime/types.ts';

function sameSwitches(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}

export class StackManager {
  readonly runtime: Runtime;
  readonly #keep: boolean;
  readonly #log: (message: string) => void;
  #startedByUs = false;
  #wasRunning: boolean | undefined;

  constructor(runtime: Runtime, options: { keep: boolean; log(message: string): void }) {
    this.runtime = runtime;
    this.#keep = options.keep;
    this.#log = options.log;
  }

  /** A healthy stack with exactly these switches, and its endpoints. */
  async ensure(without: readonly PatternSwitch[], signal: AbortSignal): Promise<Endpoints> {
    const status = await this.runtime.status();
    this.#wasRunning ??= status.running;
    const healthy =
      status.running && status.processes.length > 0 && status.processes.every((process) => process.healthy);
    if (healthy && sameSwitches(status.without, without)) {
      this.#log(`reusing the running ${this.runtime.name} stack`);
      return this.runtime.endpoints();
    }
    if (status.running) {
      this.#log(
        sameSwitches(status.without, without)
          ? 'the running stack is not healthy: restarting it'
          : `restarting the stack ${without.length > 0 ? `without ${without.join(', ')}` : 'with every pattern on'}`,
      );
      await this.runtime.down({ purge: false });
    }
    this.#log(
      `starting the ${this.runtime.name} stack${without.length > 0 ? ` without ${without.join(', ')}` : ''}`,
    );
    this.#startedByUs = true;
    try {
      return await this.runtime.up({
        without: [...without],
        signal,
        onProgress: (message) => this.#log(message),
      });
    } catch (error) {
      if (error instanceof LabError || signal.aborted) throw error;
      throw infrastructureFailure(
        'E_STACK',
        `the stack would not start: ${(error as Error).message}`,
        undefined,
        error,
      );
    }
  }

  /** Stops the stack if this command started it (and no --keep), leaves a stack that was already up running. */
  async release(): Promise<void> {
    if (this.#keep) {
      this.#log('leaving the stack running (--keep)');
      return;
    }
    if (this.#startedByUs && !this.#wasRunning) {
      this.#log('stopping the stack');
      await this.runtime.down({ purge: false });
    }
  }
}
