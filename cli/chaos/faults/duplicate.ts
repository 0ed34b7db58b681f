/** `duplicate`: the service's relay publishes extra copies of each event (same event-id) while active. */
import { z } from 'zod';
import { positiveInt, probability, relayService } from '../fields.ts';
import { setHook } from './hooks.ts';
import { defineFault, once } from './types.ts';

export const duplicate = defineFault({
  kind: 'duplicate',
  summary: "the service's relay publishes `copies` extra copies of each event with `probability`",
  timing: 'windowed',
  options: z.strictObject({
    service: relayService,
    probability: probability.default(1),
    copies: positiveInt.default(1),
  }),
  target: (options) => options.service,
  targetType: 'relay',
  sample: (random, target) => ({
    service: target,
    probability: random.int(1, 10) / 10,
    copies: random.int(1, 3),
  }),
  injectsDuplicates: true,
  async apply({ service, probability: chance, copies }, context) {
    // The service draws "extra copies?" per event from this seed, taken from the fault's own stream
    // of the scenario's seed: the same --seed gives the same sequence of decisions in the relay.
    const seed = context.random.int(0, 0xffff_ffff);
    context.decide({ fault: context.index, kind: 'duplicate', service, seed });
    await setHook(context, service, { duplicate: { probability: chance, copies, seed } });
    context.log(
      `${service} relay publishes ${copies} extra cop${copies === 1 ? 'y' : 'ies'} with probability ${chance} (seed ${seed})`,
    );
    return { heal: once(() => setHook(context, service, { duplicate: null })) };
  },
});
