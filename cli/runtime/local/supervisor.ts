import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
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

const BASE_ENV_KEYS = ['PATH', 'HOME', 'LANG', 'TZ'] as const;

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

async function readStartTime(pid: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const info = procInfo(pid);
    if (info) return info.startTime;
    await sleep(10);
  }
  throw new Error(`no /proc entry for pid ${pid}`);
}

/**
 * Starts `spec` detached in its own session and process group (so it outlives `lab up` and a
 * terminal's Ctrl-C does not reach it), stdout and stderr appended to `<logDir>/<name>.log`.
 */
export async function startProcess(spec: ProcessSpec, options: { logDir: string }): Promise<ProcessRecord> {
  mkdirSync(options.logDir, { recursive: true });
  const logFile = logFileFor(options.logDir, spec.name);
  const log = openSync(logFile, 'a', 0o600);
  const startedAt = new Date().toISOString();
  writeSync(log, `--- lab: starting ${spec.name} at ${startedAt} ---\n`);
  const env: Record<string, string> = {};
  for (const key of BASE_ENV_KEYS) if (process.env[key] !== undefined) env[key] = process.env[key];
  let pid: number;
  try {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: { ...env, ...spec.env },
      detached: true,
      stdio: ['ignore', log, log],
      uid: spec.uid,
      gid: spec.gid,
    });
    pid = await new Promise<number>((resolve, reject) => {
      child.once('spawn', () => resolve(child.pid!));
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
  return { ...spec, pid, startTime: await readStartTime(pid), logFile, startedAt };
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
