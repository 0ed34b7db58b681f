/**
 * The lab clock as a run sees it: the stack's clock (from the runtime's status, so the run and
 * the services agree on every lab instant) and waiting for a lab time of day.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { atTimeOfDay, LabClock, labTimeOfDay, parseTimeOfDay } from '../../common/clock.ts';
import type { Runtime } from '../runtime/types.ts';

export async function stackClock(runtime: Runtime): Promise<LabClock> {
  const status = await runtime.status();
  return status.clock ? LabClock.fromJSON(status.clock) : LabClock.real();
}

/** Waits until the lab clock reaches `timeOfDay` on the lab day it is now (at once if it is past). */
export async function waitForLabTime(
  clock: LabClock,
  timeOfDay: string,
  options: { signal: AbortSignal; log(message: string): void },
): Promise<void> {
  const now = clock.labMs();
  const target = atTimeOfDay(now, parseTimeOfDay(timeOfDay));
  if (target <= now) return;
  const waitMs = clock.realMs(target) - Date.now();
  options.log(
    `waiting ${(waitMs / 1000).toFixed(1)}s until lab ${timeOfDay} (lab time now ${labTimeOfDay(now)})`,
  );
  await sleep(Math.max(0, waitMs), undefined, { signal: options.signal }).catch(() => {});
}
