/** `duplicate`: the service's relay publishes extra copies of each event (same event-id) while active. */
import { setHook } from './hooks.ts';
import { type FaultModule, once } from './types.ts';

export const duplicate: FaultModule<'duplicate'> = async (fault, context) => {
  const { service, probability, copies } = fault.options;
  await setHook(context, service, { duplicate: { probability, copies } });
  context.log(
    `${service} relay publishes ${copies} extra cop${copies === 1 ? 'y' : 'ies'} with probability ${probability}`,
  );
  return { target: service, heal: once(() => setHook(context, service, { duplicate: null })) };
};
