/**
 * `http_error`: the gateway's calls over a `gateway.<service>` link fail: the first `first` calls,
 * or each with `probability`, answer `status` (or have their connection reset with `reset: true`),
 * as if the service had. Served by the gateway's upstream layer (services/gateway/http-faults.ts),
 * so both runtimes have it; the client sees the gateway's answer to a failing service.
 */
import { z } from 'zod';
import { ROUTED_SERVICES } from '../../../common/roster.ts';
import { positiveInt, probability } from '../fields.ts';
import { setHook } from './hooks.ts';
import { defineFault, once } from './types.ts';

const GATEWAY_LINKS = ROUTED_SERVICES.map((service) => `gateway.${service}`);

const options = z
  .strictObject({
    link: z.enum(GATEWAY_LINKS as [string, ...string[]]),
    status: z.number().int().min(400).max(599).optional(),
    reset: z.boolean().default(false),
    first: positiveInt.optional(),
    probability: probability.optional(),
  })
  .superRefine((value, context) => {
    if ((value.first === undefined) === (value.probability === undefined))
      context.addIssue({
        code: 'custom',
        message: 'http_error needs exactly one of `first` or `probability`',
      });
    if (value.reset === (value.status !== undefined))
      context.addIssue({
        code: 'custom',
        message: 'http_error needs exactly one of `status` or `reset: true`',
      });
  });

export const httpError = defineFault({
  kind: 'http_error',
  summary:
    "the gateway's calls to a service fail with `status` (or a reset): the `first` N, or a `probability`",
  timing: 'windowed',
  options,
  target: (value) => value.link,
  targetType: 'route',
  sample: (random, target) => ({
    link: target,
    status: random.pick([500, 502, 503, 504]),
    ...(random.chance(0.5) ? { first: random.int(1, 10) } : { probability: random.int(1, 5) / 10 }),
  }),
  async apply({ link, status, reset, first, probability: chance }, context) {
    const service = link.slice('gateway.'.length);
    const seed = context.random.int(0, 0xffff_ffff);
    const fault = {
      ...(reset ? { reset: true } : { status }),
      ...(first ? { first } : { probability: chance, seed }),
    };
    context.decide({ fault: context.index, kind: 'http_error', service, ...fault });
    await setHook(context, 'gateway', { http_error: { [service]: fault } });
    context.log(
      `gateway → ${service}: ${first ? `the first ${first} calls` : `calls with probability ${chance}`} ${reset ? 'reset' : `answer ${status}`}`,
    );
    return { heal: once(() => setHook(context, 'gateway', { http_error: { [service]: null } })) };
  },
});
