/** `broker_restart`: the broker is killed and started again after `down`. */
import { stackCrashFault } from './process.ts';

export const brokerRestart = stackCrashFault({
  kind: 'broker_restart',
  summary: 'the broker is killed and started again after `down` (default 2s)',
  process: 'kafka',
  option: 'down',
  killed: (ms) => `broker killed, back in ${ms}ms`,
});
