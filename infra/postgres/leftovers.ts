import { readdirSync, readFileSync, readlinkSync, realpathSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** `/proc/<pid>/stat` fields after the command name (which may contain spaces and parentheses). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

function isLiveProcess(pid: number): boolean {
  const state = statFields(pid)?.[0];
  return state !== undefined && state !== 'Z' && state !== 'X';
}

function commandName(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function workingDirectory(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return undefined;
  }
}

/**
 * Live `postgres` processes working in `dataDir`. Every server process chdirs to its data directory,
 * and each backend is its own process group leader, so the directory is what ties them together.
 */
function postgresProcessesIn(dataDir: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    if (commandName(pid) === 'postgres' && isLiveProcess(pid) && workingDirectory(pid) === dataDir)
      pids.push(pid);
  }
  return pids;
}

export interface PostmasterLock {
  pid: number;
  dataDir: string;
  port: number;
}

export function readPostmasterLock(dataDir: string): PostmasterLock | undefined {
  try {
    const [pid, lockDataDir, , port] = readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n');
    return { pid: Number(pid), dataDir: lockDataDir ?? '', port: Number(port) };
  } catch {
    return undefined;
  }
}

/** A postmaster for this data dir is alive: the lock's pid is a live `postgres` process. */
export function runningPostmaster(dataDir: string): PostmasterLock | undefined {
  const lock = readPostmasterLock(dataDir);
  if (!lock || !Number.isInteger(lock.pid) || lock.pid <= 0) return undefined;
  return isLiveProcess(lock.pid) && commandName(lock.pid) === 'postgres' ? lock : undefined;
}

/**
 * After the postmaster was SIGKILLed its backends and auxiliary processes may still hold the old
 * shared memory segment, and the new postmaster refuses to start ("pre-existing shared memory block
 * is still in use"). Kill them, wait, and remove the stale lock files. A no-op when nothing is stale.
 */
export async function clearLeftovers(dataDir: string): Promise<void> {
  const lock = readPostmasterLock(dataDir);
  if (!lock || runningPostmaster(dataDir)) return;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const leftovers = postgresProcessesIn(realpathSync(dataDir));
    if (leftovers.length === 0) break;
    if (Date.now() > deadline)
      throw new Error(`postgres processes ${leftovers.join(', ')} of a dead postmaster will not exit`);
    for (const pid of leftovers) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    await sleep(50);
  }
  rmSync(path.join(dataDir, 'postmaster.pid'), { force: true });
  // The socket lock names the dead postmaster too; while init has not reaped it yet (a zombie),
  // postgres would take it for alive and refuse the socket.
  for (const entry of readdirSync(dataDir))
    if (/^\.s\.PGSQL\.\d+(\.lock)?$/.test(entry)) rmSync(path.join(dataDir, entry), { force: true });
}
