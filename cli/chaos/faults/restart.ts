/** `restart`: a graceful restart (SIGTERM, start, wait until healthy). Nothing to heal afterwards. */
import { ensureRunning } from './process.ts';
import { once, targetFault } from './types.ts';

export const restart = targetFault({
  kind: 'restart',
  summary: 'a graceful restart of a service (SIGTERM, start, wait until healthy)',
  timing: 'instant',
  field: 'service',
  async apply(name, context) {
    await context.runtime.restart(name);
    context.log(`restarted ${name}`);
    return { heal: once(() => ensureRunning(context.runtime, name)) };
  },
});
