/** `restart`: a graceful restart (SIGTERM, start, wait until healthy). Nothing to heal afterwards. */
import { z } from 'zod';
import { service } from '../fields.ts';
import { ensureRunning } from './process.ts';
import { defineFault, once } from './types.ts';

export const restart = defineFault({
  kind: 'restart',
  summary: 'a graceful restart of a service (SIGTERM, start, wait until healthy)',
  timing: 'instant',
  options: z.strictObject({ service }),
  target: (options) => options.service,
  targetType: 'service',
  sample: (_random, target) => ({ service: target }),
  async apply({ service: name }, context) {
    await context.runtime.restart(name);
    context.log(`restarted ${name}`);
    return { heal: once(() => ensureRunning(context.runtime, name)) };
  },
});
