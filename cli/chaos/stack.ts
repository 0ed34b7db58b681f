/**
 * The stack around a run (or a suite of runs): reuse a running stack with the right pattern
 * switches, otherwise bring one up (or re-up it with the scenario's `without`), and afterwards
 * leave things as promised: down again if we started it, unless --keep; a stack that was running
 * before is put back with the switches it had, and anything else is said plainly.
 */
import type { ClockRequest } from '../../common/clock.ts';
import { infrastructureFailure, LabError } from '../../common/errors.ts';
import type { Kit, PatternSwitch } from '../../common/roster.ts';
import type { Endpoints, Runtime } from '../runtime/types.ts';
import type { LoadedScenario } from './loader.ts';

function sameSwitches(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join() === [...b].sort().join();
}

export class StackManager {
  readonly runtime: Runtime;
  readonly #keep: boolean;
  readonly #log: (message: string) => void;
  #startedByUs = false;
  #wasRunning: boolean | undefined;
  /** The switches of the stack that was running before this command, if one was. */
  #foundWithout: PatternSwitch[] | undefined;
  #currentWithout: PatternSwitch[] | undefined;
  /** The kit of the stack that was running before, and the one running now. */
  #foundKit: Kit | undefined;
  #currentKit: Kit | undefined;

  constructor(runtime: Runtime, options: { keep: boolean; log(message: string): void }) {
    this.runtime = runtime;
    this.#keep = options.keep;
    this.#log = options.log;
  }

  /**
   * A healthy stack with exactly these switches and this kit, and its endpoints. A scenario with a
   * clock gets a stack started for it (its lab day begins at the clock's start); one without a
   * clock does not reuse a stack whose clock runs fast.
   */
  async ensure(
    without: readonly PatternSwitch[],
    kit: Kit,
    signal: AbortSignal,
    clock?: ClockRequest,
  ): Promise<Endpoints> {
    const status = await this.runtime.status();
    if (this.#wasRunning === undefined) {
      this.#wasRunning = status.running;
      if (status.running) {
        this.#foundWithout = [...status.without];
        this.#foundKit = status.kit;
      }
    }
    this.#currentWithout = [...without];
    this.#currentKit = kit;
    const healthy =
      status.running && status.processes.length > 0 && status.processes.every((process) => process.healthy);
    const realClock = (status.clock?.speed ?? 1) === 1;
    const same = sameSwitches(status.without, without) && status.kit === kit && !clock && realClock;
    if (healthy && same) {
      this.#log(`reusing the running ${this.runtime.name} stack`);
      return this.runtime.endpoints();
    }
    if (status.running) {
      const putBack = this.#foundWithout && !this.#keep ? '; it is put back afterwards' : '';
      const kits = status.kit === kit ? ['', ''] : [`with the ${kit} kit, `, `the ${status.kit} kit, `];
      this.#log(
        same
          ? 'the running stack is not healthy: restarting it'
          : clock
            ? `recreating the stack so the scenario's lab clock (${clock.speed}x) starts its day`
            : !realClock && sameSwitches(status.without, without) && status.kit === kit
              ? 'recreating the stack with a real-time clock (it ran a fast lab clock)'
              : `recreating the stack ${kits[0]}${describeSwitches(without)} (it ran ${kits[1]}${describeSwitches(status.without)}${putBack})`,
      );
      await this.runtime.down({ purge: false });
    }
    this.#log(
      `starting the ${this.runtime.name} stack (${kit} kit)${without.length > 0 ? ` without ${without.join(', ')}` : ''}`,
    );
    this.#startedByUs = true;
    try {
      return await this.runtime.up({
        without: [...without],
        kit,
        clock,
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

  /**
   * Stops the stack if this command started it (and no --keep); a stack that was already up is
   * left running, recreated with the switches it had if the run changed them. When that cannot
   * be done (--keep, or the command was interrupted) it says what it left and how to go back.
   */
  async release(options: { interrupted?: boolean } = {}): Promise<void> {
    const changed =
      this.#foundWithout !== undefined &&
      this.#currentWithout !== undefined &&
      (!sameSwitches(this.#foundWithout, this.#currentWithout) || this.#foundKit !== this.#currentKit);
    if (this.#keep) {
      this.#log(`leaving the stack running (--keep), ${describeSwitches(this.#currentWithout ?? [])}`);
      if (changed)
        this.#log(
          `  (it ran ${describeSwitches(this.#foundWithout!)} before: ${recreateCommand(this.#foundWithout!)} goes back)`,
        );
      return;
    }
    if (this.#startedByUs && !this.#wasRunning) {
      this.#log('stopping the stack');
      await this.runtime.down({ purge: false });
      return;
    }
    if (!changed) return;
    const found = this.#foundWithout!;
    if (options.interrupted) {
      this.#log(
        `left the stack running ${describeSwitches(this.#currentWithout!)} (interrupted before it could be put back ${describeSwitches(found)}): ${recreateCommand(found)} restores it`,
      );
      return;
    }
    this.#log(`restoring the stack as it was found: ${describeSwitches(found)}`);
    await this.runtime.down({ purge: false });
    await this.runtime.up({
      without: [...found],
      kit: this.#foundKit,
      onProgress: (message) => this.#log(message),
    });
    this.#currentWithout = [...found];
    this.#currentKit = this.#foundKit;
  }
}

export function describeSwitches(without: readonly string[]): string {
  return without.length > 0 ? `without ${without.join(', ')}` : 'with every pattern on';
}

export function recreateCommand(without: readonly string[]): string {
  return `\`lab up --force-recreate${without.map((pattern) => ` --without ${pattern}`).join('')}\``;
}

/**
 * The order a suite runs in on one warm stack. Scenarios that need the same kit and pattern
 * switches run together: a stack is recreated only between groups. A scenario with its own lab
 * clock gets a fresh stack whatever ran before, so those come after their group's real-time ones,
 * which then share one stack. Within a group, those that poison a topic run last: poison stays on
 * the broker, and a consumer that fails to dead-letter it would fail every later scenario of that
 * stack with that scenario's anomaly. Otherwise the order given is kept.
 */
export function warmStackOrder(scenarios: LoadedScenario[], kit?: Kit): LoadedScenario[] {
  return scenarios
    .map((entry, index) => ({
      entry,
      index,
      poisons: entry.scenario.faults.some((fault) => fault.kind === 'poison') ? 1 : 0,
      key: [
        kit ?? entry.scenario.stack.kit,
        [...entry.scenario.stack.without].sort().join(','),
        entry.scenario.stack.clock ? 1 : 0,
      ].join(':'),
    }))
    .sort((a, b) => a.key.localeCompare(b.key) || a.poisons - b.poisons || a.index - b.index)
    .map(({ entry }) => entry);
}
