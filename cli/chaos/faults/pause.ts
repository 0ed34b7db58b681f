/** `pause`: SIGSTOP a service (it holds its connections but answers nothing), SIGCONT to heal. */
import { z } from 'zod';
import { service } from '../fields.ts';
import { defineFault, once } from './types.ts';

export const pause = defineFault({
  kind: 'pause',
  summary: 'SIGSTOP a service for `for`, then SIGCONT',
  timing: 'windowed',
  options: z.strictObject({ service }),
  target: (options) => options.service,
  targetType: 'service',
  sample: (_random, target) => ({ service: target }),
  async apply({ service: name }, context) {
    await context.runtime.pause(name);
    context.log(`paused ${name}`);
    return { heal: once(() => context.runtime.resume(name)) };
  },
});
