import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ExitCode, LabError } from '../../../common/errors.ts';
import type { ProcessState } from '../types.ts';
import { describeHealthCheck, type HealthCheck, isHealthy } from './health.ts';
import { isSameLiveProcess, isStopped, type ProcessIdentity, processTree, procInfo } from './proc.ts';

/** Everything needed to (re)start one process; plain data, kept in the state file. */
export interface ProcessSpec {
  name: string;
  kind: 'infra' | 'service';
  command: string;
  args: string[];
  /** The child's whole environment besides PATH/HOME/LANG/TZ: nothing else leaks from `lab`. */
  env: Record<string, string>;
  cwd: string;
  uid?: number;
  gid?: number;
  /** The main port (shown by `lab status`); `ports` holds every named port of the piece. */
  port?: number;
  ports: Record<string, number>;
  health?: HealthCheck;
  /** Default SIGTERM; postgres uses SIGINT (fast shutdown). */
  stopSignal?: NodeJS.Signals;
  /** Time between the stop signal and SIGKILL. Default 10 s. */
  stopGraceMs?: number;
}

export interface ProcessRecord extends ProcessSpec {
  pid: number;
  /** From /proc/<pid>/stat: a recycled pid never matches, so it is never signalled. */
  startTime: number;
  logFile: string;
  startedAt: string;
}

/** NODE_COMPILE_CACHE: children reuse the TypeScript the lab process already compiled (bin/lab). */
const BASE_ENV_KEYS = ['PATH', 'HOME', 'LANG', 'TZ', 'NODE_COMPILE_CACHE'] as const;

export function logFileFor(logDir: string, name: string): string {
  return path.join(logDir, `${name}.log`);
}

export function logTail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log yet)';
  }
}

/** The environment variable that marks a child as spawned by one startProcess call (see findTagged). */
export const SPAWN_TAG_ENV = 'LAB_SPAWN_TAG';

export interface StartOptions {
  logDir: string;
  /**
   * Written into the child's environment, and recorded by the caller before the spawn: a `lab`
   * killed between the spawn and its next state write still leaves a way to find the child.
   */
  tag?: string;
  /**
   * Called synchronously right after the spawn (no await in between), so the caller records the
   * pid before anything else can run: a signal handler, an EPIPE, process.exit.
   */
  onSpawned?(record: ProcessRecord): void;
}

/**
 * Starts `spec` detached in its own session and process group (so it outlives `lab up` and a
 * terminal's Ctrl-C or hang-up does not reach it), stdout and stderr appended to
 * `<logDir>/<name>.log`.
 */
export async function startProcess(spec: ProcessSpec, options: StartOptions): Promise<ProcessRecord> {
  mkdirSync(options.logDir, { recursive: true });
  const logFile = logFileFor(options.logDir, spec.name);
  const log = openSync(logFile, 'a', 0o600);
  const startedAt = new Date().toISOString();
  writeSync(log, `--- lab: starting ${spec.name} at ${startedAt} ---\n`);
  const env: Record<string, string> = {};
  for (const key of BASE_ENV_KEYS) if (process.env[key] !== undefined) env[key] = process.env[key];
  if (options.tag) env[SPAWN_TAG_ENV] = options.tag;
  let record: ProcessRecord | undefined;
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { ...env, ...spec.env },
      detached: true,
      stdio: ['ignore', log, log],
      uid: spec.uid,
      gid: spec.gid,
    });
    // spawn() has forked (and exec'd) by the time it returns: the pid and its /proc entry exist.
    const info = child.pid === undefined ? undefined : procInfo(child.pid);
    if (child.pid !== undefined && info) {
      record = { ...spec, pid: child.pid, startTime: info.startTime, logFile, startedAt };
      options.onSpawned?.(record);
    }
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', () => resolve());
      child.once('error', reject);
    });
    child.unref();
  } catch (error) {
    throw new LabError('E_START_FAILED', `${spec.name} could not be started: ${(error as Error).message}`, {
      exitCode: ExitCode.infrastructure,
      cause: error,
    });
  } finally {
    closeSync(log);
  }
  if (!record)
    throw new LabError('E_START_FAILED', `${spec.name} exited as it started (no /proc entry)`, {
      exitCode: ExitCode.infrastructure,
    });
  return record;
}

/** Processes whose environment carries `LAB_SPAWN_TAG=<tag>` (readable only for our own user's). */
export function findTagged(tag: string): ProcessRecord['pid'][] {
  const needle = `${SPAWN_TAG_ENV}=${tag}\0`;
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      if (`${readFileSync(`/proc/${pid}/environ`, 'latin1')}\0`.includes(needle)) found.push(pid);
    } catch {
      // Gone, or another user's.
    }
  }
  return found;
}

export function isAlive(record: ProcessRecord): boolean {
  return isSameLiveProcess(record.pid, record.startTime);
}

export function processState(record: ProcessRecord): ProcessState {
  if (!isAlive(record)) return 'exited';
  return isStopped(record.pid) ? 'paused' : 'running';
}

function signalEach(members: readonly ProcessIdentity[], signal: NodeJS.Signals): void {
  for (const member of members) {
    if (!isSameLiveProcess(member.pid, member.startTime)) continue;
    try {
      process.kill(member.pid, signal);
    } catch {
      // Gone in between.
    }
  }
}

/**
 * Signals the record's whole process tree (children, grandchildren, its process group), only if the
 * record's process is still the one we started. Returns whether it was.
 */
function signalTree(record: ProcessRecord, signal: NodeJS.Signals): boolean {
  if (!isAlive(record)) return false;
  signalEach(processTree(record.pid), signal);
  return true;
}

async function waitUntilGone(record: ProcessRecord, deadlineMs: number): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  while (isAlive(record)) {
    if (Date.now() > deadline) return false;
    await sleep(25);
  }
  return true;
}

/** The stop signal to the leader, SIGKILL to its tree after the grace period. Resolves once it is gone. */
export async function stopProcess(record: ProcessRecord): Promise<void> {
  if (!isAlive(record)) return;
  const tree = processTree(record.pid);
  // A frozen process cannot act on SIGTERM; thaw the tree so it can shut down cleanly.
  signalEach(tree, 'SIGCONT');
  try {
    process.kill(record.pid, record.stopSignal ?? 'SIGTERM');
  } catch {
    return;
  }
  if (!(await waitUntilGone(record, record.stopGraceMs ?? 10_000))) {
    signalEach(tree, 'SIGKILL');
    await waitUntilGone(record, 10_000);
  }
  // Whatever the leader left behind (children it did not wait for) goes too.
  signalEach(tree, 'SIGKILL');
}

/** SIGKILL to the whole tree, like a crash (or `docker kill`). */
export async function killProcess(record: ProcessRecord): Promise<void> {
  if (!signalTree(record, 'SIGKILL')) return;
  await waitUntilGone(record, 10_000);
}

/** SIGSTOP to the whole tree (like `docker pause`); resolves once /proc shows it stopped. */
export async function pauseProcess(record: ProcessRecord): Promise<void> {
  if (!signalTree(record, 'SIGSTOP')) return;
  const deadline = Date.now() + 5000;
  while (!isStopped(record.pid) && isAlive(record) && Date.now() < deadline) await sleep(10);
}

export async function resumeProcess(record: ProcessRecord): Promise<void> {
  if (!signalTree(record, 'SIGCONT')) return;
  const deadline = Date.now() + 5000;
  while (isStopped(record.pid) && Date.now() < deadline) await sleep(10);
}

/**
 * Resolves once the health check passes. Fails early (with the log's tail) when the process exits,
 * at the deadline, or when `signal` aborts.
 */
export async function waitHealthy(
  record: ProcessRecord,
  options: { deadlineMs: number; signal?: AbortSignal },
): Promise<void> {
  const deadline = Date.now() + options.deadlineMs;
  // Back off from 50 ms to 500 ms: quick for fast pieces, and a slow one's log is not flooded with
  // refused health probes (postgres logs each "not yet accepting connections").
  let pause = 50;
  for (;;) {
    options.signal?.throwIfAborted();
    if (!isAlive(record))
      throw new LabError(
        'E_START_FAILED',
        `${record.name} exited before it became healthy. Its log ends with:\n${logTail(record.logFile)}`,
        {
          exitCode: ExitCode.infrastructure,
        },
      );
    if (!record.health || (await isHealthy(record.health))) return;
    if (Date.now() > deadline)
      throw new LabError(
        'E_START_FAILED',
        `${record.name} was not healthy (${describeHealthCheck(record.health)}) within ${Math.round(options.deadlineMs / 1000)} s. Its log ends with:\n${logTail(record.logFile)}`,
        { exitCode: ExitCode.infrastructure },
      );
    await sleep(pause);
    pause = Math.min(500, pause * 2);
  }
}
