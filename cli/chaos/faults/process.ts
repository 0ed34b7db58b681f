/** Shared by the process faults: bringing a piece of the stack back to running, whatever happened to it. */
import { z } from 'zod';
import type { Runtime } from '../../runtime/types.ts';
import { duration } from '../fields.ts';
import { defineFault, type FaultDefinition, once } from './types.ts';

export async function ensureRunning(runtime: Runtime, name: string): Promise<void> {
  const status = await runtime.status();
  const process = status.processes.find((candidate) => candidate.name === name);
  if (!process) return;
  if (process.state === 'paused') await runtime.resume(name);
  else if (process.state !== 'running') await runtime.restart(name);
}

/** Waits until the process is no longer running (it crashed or was killed), or the deadline passes. */
export async function waitUntilDown(
  runtime: Runtime,
  name: string,
  options: { deadlineMs: number; signal: AbortSignal },
): Promise<boolean> {
  const deadline = Date.now() + options.deadlineMs;
  while (Date.now() < deadline) {
    options.signal.throwIfAborted();
    const status = await runtime.status();
    const state = status.processes.find((candidate) => candidate.name === name)?.state;
    if (state !== 'running' && state !== 'paused') return true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return false;
}

/**
 * A fault that kills a piece of the stack as a whole (the broker, the database) and starts it again
 * after `option` (default 2 s), as broker_restart and db_crash do.
 */
export function stackCrashFault<Option extends string>(definition: {
  kind: string;
  summary: string;
  /** Its name in the runtime (INFRA in common/roster.ts). */
  process: string;
  /** The option holding how long it stays down. */
  option: Option;
  /** The log line once it is killed. */
  killed(downMs: number): string;
}): FaultDefinition<Record<Option, number>> {
  const { process: name, option } = definition;
  return defineFault<Record<Option, number>>({
    kind: definition.kind,
    summary: definition.summary,
    timing: 'instant',
    options: z.strictObject({ [option]: duration.default(2000) }) as unknown as z.ZodType<
      Record<Option, number>
    >,
    target: () => name,
    targetType: 'stack',
    sample: (_random, _target, windowMs) => ({ [option]: `${windowMs}ms` }),
    endsAfterMs: (options) => options[option],
    async apply(options, context) {
      await context.runtime.kill(name);
      context.log(definition.killed(options[option]));
      return { heal: once(() => ensureRunning(context.runtime, name)) };
    },
  });
}
