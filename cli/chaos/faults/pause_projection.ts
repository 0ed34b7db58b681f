/**
 * `pause_projection`: the search projection stops consuming while search's HTTP stays up, so its
 * answers go stale and `lab_projection_lag_events` / `_seconds` grow; healed by resuming, after
 * which it must catch up (read_model_converges).
 */
import { z } from 'zod';
import { requestJson } from '../http.ts';
import { setHook } from './hooks.ts';
import { defineFault, once } from './types.ts';

const PROJECTION_HOOK = '/admin/projection';

export const pauseProjection = defineFault({
  kind: 'pause_projection',
  summary: "search's projection stops consuming (its HTTP stays up): the read side lags until healed",
  timing: 'windowed',
  options: z.strictObject({ service: z.literal('search').default('search') }),
  target: (options) => options.service,
  targetType: 'service',
  async apply({ service }, context) {
    await setHook(context, service, { paused: true }, PROJECTION_HOOK);
    context.log(`${service} projection paused`);
    return {
      heal: once(async () => {
        // What the learner would have seen on /metrics just before the heal, for the run's log.
        const { body } = await requestJson<{ lag?: { events: number; seconds: number } }>(
          new URL(PROJECTION_HOOK, context.endpoints.services[service]).href,
          { headers: { 'x-lab-admin-token': context.adminToken }, timeoutMs: 5000 },
        ).catch(() => ({ body: {} as { lag?: { events: number; seconds: number } } }));
        if (body.lag)
          context.log(
            `${service} projection was ${body.lag.events} events, ${body.lag.seconds.toFixed(1)} lab seconds behind`,
          );
        await setHook(context, service, { paused: false }, PROJECTION_HOOK);
        context.log(`${service} projection resumed`);
      }),
    };
  },
});
