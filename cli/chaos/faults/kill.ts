/** `kill`: SIGKILL a service; it comes back after `restart_after`, or at the heal phase. */
import { z } from 'zod';
import { duration, service } from '../fields.ts';
import { ensureRunning } from './process.ts';
import { defineFault, once } from './types.ts';

export const kill = defineFault({
  kind: 'kill',
  summary: 'SIGKILL a service; restarted after `restart_after` (or at the heal phase)',
  timing: 'instant',
  instead: 'use `restart_after` to bring the service back',
  options: z.strictObject({ service, restart_after: duration.optional() }),
  target: (options) => options.service,
  targetType: 'service',
  sample: (_random, target, windowMs) => ({ service: target, restart_after: `${windowMs}ms` }),
  endsAfterMs: (options) => options.restart_after,
  async apply({ service: name, restart_after }, context) {
    await context.runtime.kill(name);
    context.log(`killed ${name}${restart_after === undefined ? '' : `, restarting in ${restart_after}ms`}`);
    return { heal: once(() => ensureRunning(context.runtime, name)) };
  },
});
