/** `kill`: SIGKILL a service; it comes back after `restart_after`, or at the heal phase. */
import { ensureRunning } from './process.ts';
import { type FaultModule, once } from './types.ts';

export const kill: FaultModule<'kill'> = async (fault, context) => {
  const { service, restart_after } = fault.options;
  await context.runtime.kill(service);
  context.log(`killed ${service}${restart_after === undefined ? '' : `, restarting in ${restart_after}ms`}`);
  return {
    target: service,
    heal: once(() => ensureRunning(context.runtime, service)),
    healAfterMs: restart_after,
  };
};
