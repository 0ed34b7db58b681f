/** `down`: the link is disabled (connections refused, open ones cut) until healed. */
import { once, targetFault } from './types.ts';

export const down = targetFault({
  kind: 'down',
  summary: 'the link is disabled: connections refused, open ones cut',
  timing: 'windowed',
  field: 'link',
  async apply(target, context) {
    await context.proxy.setEnabled(target, false);
    context.log(`${target} is down`);
    return { heal: once(() => context.proxy.setEnabled(target, true)) };
  },
});
