/**
 * The settle phase: after the last fault healed, give the sagas up to `settle` to finish. It ends
 * early once every saga is terminal, the services agree on each outcome and the outboxes are
 * empty (and, when the scenario checks it, the read side equals its sources), twice in a row (a
 * one-off quiet moment is not enough).
 *
 * It also ends early when the sagas can no longer move: the same checks failing the same way at
 * three polls in a row while nothing is in flight (quiescence.ts), as when a switched-off pattern
 * lost an event for good. Waiting out the settle time would only delay the same verdict.
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
/** Polls in a row with the same results and nothing in flight: two seconds of nothing moving. */
const STUCK_POLLS = 3;

export interface Settled {
  /** Ended before the settle time: every saga finished, or (`stuck`) none of the rest can. */
  settledEarly: boolean;
  /** Ended because nothing was in flight while these checks kept failing the same way. */
  stuck?: string[];
  waitedMs: number;
}

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
    /** True when no event is waiting to be consumed (quiescence.ts); without it, only the checks end early. */
    nothingInFlight?: () => Promise<boolean>;
  },
): Promise<Settled> {
  const started = Date.now();
  let quiet = 0;
  let stuck = 0;
  let previous = '';
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
    // Unknown (a database not answering) is never stuck: it may answer at the next poll.
    const outcome = JSON.stringify(results.map((result) => [result.name, result.verdict, result.summary]));
    const drained = results.find((result) => result.name === 'outbox_drained')?.verdict === 'valid';
    const unchanged =
      drained && outcome === previous && results.every((result) => result.verdict !== 'unknown');
    previous = outcome;
    stuck = unchanged && (await options.nothingInFlight?.().catch(() => false)) ? stuck + 1 : 0;
    if (stuck >= STUCK_POLLS - 1) {
      const failing = results.filter((result) => result.verdict !== 'valid').map((result) => result.name);
      return { settledEarly: true, stuck: failing, waitedMs: Date.now() - started };
    }
    options.onProgress?.(results.find((result) => result.verdict !== 'valid')?.summary ?? 'quiet');
    await sleep(Math.min(POLL_MS, Math.max(0, options.maxMs - (Date.now() - started))), undefined, {
      signal: options.signal,
    });
  }
  return { settledEarly: false, waitedMs: Date.now() - started };
}
