/** `down`: the link is disabled (connections refused, open ones cut) until healed. */
import { type FaultModule, once } from './types.ts';

export const down: FaultModule<'down'> = async (fault, context) => {
  const { link } = fault.options;
  await context.proxy.setEnabled(link, false);
  context.log(`${link} is down`);
  return { target: link, heal: once(() => context.proxy.setEnabled(link, true)) };
};
