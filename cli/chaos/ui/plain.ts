/** Line output for pipes and CI: one line per phase, fault and log event, progress every 10%. */
import type { EngineEvent } from '../engine.ts';

export function plainReporter(write: (line: string) => void): (event: EngineEvent) => void {
  let done = 0;
  let total = 0;
  let nextMark = 0.1;
  const started = Date.now();
  const stamp = () => `[${((Date.now() - started) / 1000).toFixed(1).padStart(6)}s]`;
  return (event) => {
    switch (event.type) {
      case 'start':
        total = event.scenario.workload.orders;
        done = 0;
        nextMark = 0.1;
        write(
          `${stamp()} scenario ${event.scenario.name}, seed ${event.seed} (replay with --seed ${event.seed}), run dir ${event.runDir}`,
        );
        return;
      case 'phase':
        write(`${stamp()} == ${event.phase}`);
        return;
      case 'operation':
        done++;
        if (done / total >= nextMark || done === total) {
          write(`${stamp()} orders ${done}/${total}`);
          while (done / total >= nextMark) nextMark += 0.1;
        }
        return;
      case 'log':
        if (!event.message.startsWith('phase ')) write(`${stamp()} ${event.message}`);
        return;
      default:
        return;
    }
  };
}
