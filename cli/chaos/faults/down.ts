/** `down`: the link is disabled (connections refused, open ones cut) until healed. */
import { z } from 'zod';
import { link } from '../fields.ts';
import { defineFault, once } from './types.ts';

export const down = defineFault({
  kind: 'down',
  summary: 'the link is disabled: connections refused, open ones cut',
  timing: 'windowed',
  options: z.strictObject({ link }),
  target: (options) => options.link,
  targetType: 'link',
  sample: (_random, target) => ({ link: target }),
  async apply({ link: target }, context) {
    await context.proxy.setEnabled(target, false);
    context.log(`${target} is down`);
    return { heal: once(() => context.proxy.setEnabled(target, true)) };
  },
});
