/** `pause`: SIGSTOP a service (it holds its connections but answers nothing), SIGCONT to heal. */
import { once, targetFault } from './types.ts';

export const pause = targetFault({
  kind: 'pause',
  summary: 'SIGSTOP a service for `for`, then SIGCONT',
  timing: 'windowed',
  field: 'service',
  async apply(name, context) {
    await context.runtime.pause(name);
    context.log(`paused ${name}`);
    return { heal: once(() => context.runtime.resume(name)) };
  },
});
