/** `duplicate`: the service's relay publishes extra copies of each event (same event-id) while active. */
import { setHook } from './hooks.ts';
import { type FaultModule, once } from './types.ts';

export const duplicate: FaultModule<'duplicate'> = async (fault, context) => {
  const { service, probability, copies } = fault.options;
  // The service draws "extra copies?" per event from this seed, taken from the fault's own stream
  // of the scenario's seed: the same --seed gives the same sequence of decisions in the relay.
  const seed = context.random.int(0, 0xffff_ffff);
  context.decide({ fault: context.index, kind: 'duplicate', service, seed });
  await setHook(context, service, { duplicate: { probability, copies, seed } });
  context.log(
    `${service} relay publishes ${copies} extra cop${copies === 1 ? 'y' : 'ies'} with probability ${probability} (seed ${seed})`,
  );
  return { target: service, heal: once(() => setHook(context, service, { duplicate: null })) };
};
