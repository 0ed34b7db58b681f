/** `restart`: a graceful restart (SIGTERM, start, wait until healthy). Nothing to heal afterwards. */
import { ensureRunning } from './process.ts';
import { type FaultModule, once } from './types.ts';

export const restart: FaultModule<'restart'> = async (fault, context) => {
  const { service } = fault.options;
  await context.runtime.restart(service);
  context.log(`restarted ${service}`);
  return { target: service, heal: once(() => ensureRunning(context.runtime, service)) };
};
