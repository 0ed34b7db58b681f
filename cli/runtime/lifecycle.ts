/**
 * Every way out of a command that starts or changes things, turned into one AbortSignal.
 *
 * Ctrl-C (SIGINT), SIGTERM, SIGHUP (a closed terminal), a closed stdout or stderr (EPIPE from
 * `| head`, EIO from a hung-up pty) and an exception thrown outside the command's own awaits all
 * abort the same signal. The command then heals what it faulted and stops what it started in its
 * `finally` blocks, and exits with the code documented for the cause (README "Exit codes"):
 * 130 for SIGINT, 143 for SIGTERM, 129 for SIGHUP or a hung-up terminal, 141 for a closed pipe
 * (as SIGPIPE would), 3 for an exception. A closed pipe is noticed at the next line written, as
 * SIGPIPE is. Without this a signal's default action, or `process.exit` on EPIPE, ends the
 * process at once and leaves toxics, downed links, hooks and processes behind.
 */
import { ExitCode } from '../../common/errors.ts';

export type InterruptionCause = 'SIGINT' | 'SIGTERM' | 'SIGHUP' | 'closed-output' | 'exception';

export class Interruption extends Error {
  readonly why: InterruptionCause;
  readonly exitCode: number;

  constructor(cause: InterruptionCause, detail?: string) {
    super(describe(cause, detail));
    this.name = 'Interruption';
    this.why = cause;
    this.exitCode = EXIT_CODES[cause];
  }
}

const EXIT_CODES: Record<InterruptionCause, number> = {
  SIGINT: ExitCode.interrupted,
  SIGTERM: 143,
  SIGHUP: 129,
  'closed-output': 141,
  exception: ExitCode.infrastructure,
};

function describe(cause: InterruptionCause, detail?: string): string {
  switch (cause) {
    case 'SIGINT':
      return 'interrupted (Ctrl-C)';
    case 'SIGTERM':
      return 'terminated (SIGTERM)';
    case 'SIGHUP':
      return 'the terminal hung up (SIGHUP)';
    case 'closed-output':
      return `the output was closed (${detail ?? 'EPIPE'})`;
    case 'exception':
      return `an unexpected error: ${detail ?? 'unknown'}`;
  }
}

/** The interruption behind an aborted signal, if that is what aborted it. */
export function interruptionOf(signal: AbortSignal): Interruption | undefined {
  return signal.aborted && signal.reason instanceof Interruption ? signal.reason : undefined;
}

/** Errors a write to a closed pipe or a hung-up terminal reports. */
const CLOSED_OUTPUT_CODES = new Set(['EPIPE', 'EIO', 'ECONNRESET', 'ERR_STREAM_DESTROYED']);

let current: AbortController | undefined;
let last: Interruption | undefined;

/** The interruption of the last guarded command of this process, if it was interrupted. */
export function lastInterruption(): Interruption | undefined {
  return last;
}

/**
 * Installed once by main: a write error on stdout/stderr interrupts the guarded command if one
 * runs; a read-only command (`lab status | head`) just exits, as the reader chose.
 */
export function watchOutputStreams(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (!CLOSED_OUTPUT_CODES.has(error.code ?? '')) throw error;
      if (current) {
        // EIO on a terminal is its hang-up, whichever of the write and SIGHUP arrives first.
        const interruption =
          error.code === 'EIO' && stream.isTTY
            ? new Interruption('SIGHUP')
            : new Interruption('closed-output', error.code);
        if (!current.signal.aborted) current.abort(interruption);
        return;
      }
      process.exit(process.exitCode ?? ExitCode.ok);
    });
  }
}

/**
 * Runs `work` with a signal that every way out aborts. The handlers stay installed until `work`
 * settles, so a second signal cannot cut the cleanup short. Returns the interruption (if any)
 * next to the value, so the caller exits with its code.
 */
export async function guarded<T>(
  work: (signal: AbortSignal) => Promise<T>,
): Promise<{ value: T; interruption: Interruption | undefined }> {
  const controller = new AbortController();
  const previous = current;
  current = controller;
  const interrupt = (interruption: Interruption) => {
    if (controller.signal.aborted) {
      if (interruption.why !== 'closed-output') safeWrite('lab: still stopping what was started...\n');
      return;
    }
    controller.abort(interruption);
  };
  const onSigint = () => interrupt(new Interruption('SIGINT'));
  const onSigterm = () => interrupt(new Interruption('SIGTERM'));
  const onSighup = () => interrupt(new Interruption('SIGHUP'));
  const onException = (error: unknown) => {
    safeWrite(`lab: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    interrupt(new Interruption('exception', error instanceof Error ? error.message : String(error)));
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigterm);
  process.on('SIGHUP', onSighup);
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onException);
  try {
    const value = await work(controller.signal);
    return { value, interruption: interruptionOf(controller.signal) };
  } finally {
    last = interruptionOf(controller.signal) ?? last;
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
    process.off('SIGHUP', onSighup);
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onException);
    current = previous;
  }
}

/** A write that never throws: after a hang-up or a closed pipe there is no one left to tell. */
export function safeWrite(text: string, stream: NodeJS.WriteStream = process.stderr): void {
  if (stream.destroyed || stream.writableEnded) return;
  try {
    stream.write(text);
  } catch {
    // The stream's 'error' event reports it (watchOutputStreams).
  }
}
