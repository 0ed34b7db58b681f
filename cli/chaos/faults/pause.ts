/** `pause`: SIGSTOP a service (it holds its connections but answers nothing), SIGCONT to heal. */
import { type FaultModule, once } from './types.ts';

export const pause: FaultModule<'pause'> = async (fault, context) => {
  const { service } = fault.options;
  await context.runtime.pause(service);
  context.log(`paused ${service}`);
  return { target: service, heal: once(() => context.runtime.resume(service)) };
};
