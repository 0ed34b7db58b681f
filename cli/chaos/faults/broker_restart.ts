/** `broker_restart`: the broker is killed and started again after `down`. */
import { z } from 'zod';
import { duration } from '../fields.ts';
import { ensureRunning } from './process.ts';
import { defineFault, once } from './types.ts';

/** The broker's name in the runtime (INFRA in common/roster.ts). */
const BROKER = 'kafka';

export const brokerRestart = defineFault({
  kind: 'broker_restart',
  summary: 'the broker is killed and started again after `down` (default 2s)',
  timing: 'instant',
  options: z.strictObject({ down: duration.default(2000) }),
  target: () => BROKER,
  targetType: 'stack',
  sample: (_random, _target, windowMs) => ({ down: `${windowMs}ms` }),
  endsAfterMs: (options) => options.down,
  async apply(options, context) {
    await context.runtime.kill(BROKER);
    context.log(`broker killed, back in ${options.down}ms`);
    return { heal: once(() => ensureRunning(context.runtime, BROKER)) };
  },
});
