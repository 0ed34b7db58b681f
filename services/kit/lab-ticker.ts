/**
 * A ticker on the lab clock: runs `tick(labNowMs)` about every `everyLabMs` of lab time, one tick
 * at a time, for the duties of a service that happen because time passed (the oven, the discount
 * window). At a fast clock the real interval shrinks (bounded below, so a tick never starves the
 * service); at real speed it is bounded above, so a window opens within a second of its time.
 *
 * A failing tick (the database away, the migrations not run yet) is logged and the next tick
 * tries again: every duty it runs must be idempotent and catch up on what it missed.
 */
import type { FastifyInstance } from 'fastify';
import type { LabClock } from '../../common/clock.ts';
import type { Logger } from './log.ts';

export interface LabTickerOptions {
  name: string;
  clock: LabClock;
  /** Lab milliseconds between ticks. */
  everyLabMs: number;
  log: Logger;
  tick(labNowMs: number): Promise<void>;
}

const MIN_REAL_MS = 40;
const MAX_REAL_MS = 1000;

function tickerIntervalMs(clock: LabClock, everyLabMs: number): number {
  return Math.min(MAX_REAL_MS, Math.max(MIN_REAL_MS, clock.realDurationMs(everyLabMs)));
}

/** Starts with the HTTP server (onReady) and stops with it (onClose): a service's lifetime. */
export function runLabTicker(app: FastifyInstance, options: LabTickerOptions): void {
  const intervalMs = tickerIntervalMs(options.clock, options.everyLabMs);
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  let failing = false;
  const schedule = () => {
    if (!stopped) timer = setTimeout(run, intervalMs);
  };
  const run = () => {
    running = options
      .tick(options.clock.labMs())
      .then(
        () => {
          if (failing) options.log.info({ ticker: options.name }, 'ticker recovered');
          failing = false;
        },
        (error: unknown) => {
          // Before the migrations ran, and while the database is away, every tick fails: say it once.
          if (!failing) options.log.warn({ ticker: options.name, err: error }, 'ticker failed, retrying');
          failing = true;
        },
      )
      .finally(schedule);
  };
  app.addHook('onReady', async () => {
    schedule();
  });
  app.addHook('onClose', async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
  });
}
