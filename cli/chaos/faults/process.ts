/** Shared by the process faults: bring a piece of the stack back to running, whatever happened to it. */
import type { Runtime } from '../../runtime/types.ts';

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
