/** `broker_restart`: the broker is killed and started again after `down`. */
import { ensureRunning } from './process.ts';
import { type FaultModule, once } from './types.ts';

/** The broker's name in the runtime (INFRA in cli/runtime/types.ts). */
const BROKER = 'kafka';

export const brokerRestart: FaultModule<'broker_restart'> = async (fault, context) => {
  await context.runtime.kill(BROKER);
  context.log(`broker killed, back in ${fault.options.down}ms`);
  return {
    target: BROKER,
    heal: once(() => ensureRunning(context.runtime, BROKER)),
    healAfterMs: fault.options.down,
  };
};
