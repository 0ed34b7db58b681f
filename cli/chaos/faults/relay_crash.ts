/**
 * `relay_crash`: arm the service's hook so its relay SIGKILLs the process after the broker
 * acknowledged a batch and before the rows are marked published; wait for the crash, restart the
 * service (the rows are published again: at-least-once). Repeated `times` times.
 */
import { z } from 'zod';
import { positiveInt, relayService } from '../fields.ts';
import { setHook } from './hooks.ts';
import { ensureRunning, waitUntilDown } from './process.ts';
import { defineFault, once } from './types.ts';

const CRASH_DEADLINE_MS = 30_000;

export const relayCrash = defineFault({
  kind: 'relay_crash',
  summary: "the service's relay dies after publishing a batch, before marking it (`times` crashes)",
  timing: 'instant',
  options: z.strictObject({ service: relayService, times: positiveInt.default(1) }),
  target: (options) => options.service,
  targetType: 'relay',
  sample: (_random, target) => ({ service: target }),
  injectsDuplicates: true,
  async apply({ service, times }, context) {
    for (let crash = 1; crash <= times; crash++) {
      await setHook(context, service, { relay_crash: true });
      const crashed = await waitUntilDown(context.runtime, service, {
        deadlineMs: CRASH_DEADLINE_MS,
        signal: context.signal,
      });
      if (!crashed)
        throw new Error(
          `${service}'s relay did not crash within ${CRASH_DEADLINE_MS / 1000}s (nothing to publish?)`,
        );
      context.log(`${service} relay crashed between publish and mark (${crash}/${times}); restarting`);
      await context.runtime.restart(service);
    }
    return { heal: once(() => ensureRunning(context.runtime, service)) };
  },
});
