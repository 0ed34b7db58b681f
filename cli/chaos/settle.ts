/**
 * The settle phase: after the last fault healed, give the sagas up to `settle` to finish. It ends
 * early once every saga is terminal, the services agree on each outcome and the outboxes are
 * empty (and, when the scenario checks it, the read side equals its sources), twice in a row (a
 * one-off quiet moment is not enough).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { DatabaseServiceName } from '../../common/roster.ts';
import { captureSnapshot } from './capture.ts';
import { runChecks, unknownChecks } from './checks/index.ts';
import type { Queryable, RunScope } from './checks/types.ts';
import type { OperationEntry } from './history.ts';
import type { CheckSpec } from './schema.ts';

const POLL_MS = 1000;
const QUIET_POLLS = 2;

export async function settle(
  context: {
    databases: Record<DatabaseServiceName, Queryable>;
    scope: RunScope;
    operations: OperationEntry[];
  },
  options: {
    maxMs: number;
    signal: AbortSignal;
    onProgress?(message: string): void;
    /** More checks that must hold to settle (read_model_converges: the read side caught up). */
    waitFor?: CheckSpec[];
  },
): Promise<{ settledEarly: boolean; waitedMs: number }> {
  const started = Date.now();
  let quiet = 0;
  while (Date.now() - started < options.maxMs) {
    options.signal.throwIfAborted();
    const specs: CheckSpec[] = [
      { name: 'sagas_terminal' },
      { name: 'outcomes_consistent' },
      { name: 'outbox_drained' },
      ...(options.waitFor ?? []),
    ];
    // A database that does not answer yet (a service restarting) is not quiet: poll again.
    const results = await captureSnapshot(context.databases, context.scope).then(
      (snapshot) => runChecks(specs, { snapshot, operations: context.operations }),
      (error: Error) => unknownChecks(specs, error.message),
    );
    quiet = results.every((result) => result.verdict === 'valid') ? quiet + 1 : 0;
    if (quiet >= QUIET_POLLS) return { settledEarly: true, waitedMs: Date.now() - started };
    options.onProgress?.(results.find((result) => result.verdict !== 'valid')?.summary ?? 'quiet');
    await sleep(Math.min(POLL_MS, Math.max(0, options.maxMs - (Date.now() - started))), undefined, {
      signal: options.signal,
    });
  }
  return { settledEarly: false, waitedMs: Date.now() - started };
}
