import { readdirSync, readFileSync } from 'node:fs';

/** What /proc says about one process. */
export interface ProcInfo {
  /** R, S, D, T (stopped), t, Z (zombie), X, I ... */
  state: string;
  ppid: number;
  pgrp: number;
  /** Clock ticks after boot: with the pid, identifies one process across pid reuse. */
  startTime: number;
}

export function procInfo(pid: number): ProcInfo | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may contain spaces and parentheses; fields resume after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return {
    state: fields[0] ?? '?',
    ppid: Number(fields[1]),
    pgrp: Number(fields[2]),
    startTime: Number(fields[19]),
  };
}

/** The process `pid` that started at `startTime` is alive (not a zombie, not a recycled pid). */
export function isSameLiveProcess(pid: number, startTime: number): boolean {
  const info = procInfo(pid);
  return info !== undefined && info.startTime === startTime && info.state !== 'Z' && info.state !== 'X';
}

export function isStopped(pid: number): boolean {
  const state = procInfo(pid)?.state;
  return state === 'T' || state === 't';
}

export interface ProcessIdentity {
  pid: number;
  startTime: number;
}

/**
 * `pid`, its descendants and its process group, each with its start time. Some children leave the
 * group (PostgreSQL backends call setsid), so the parent links are followed too.
 */
export function processTree(pid: number): ProcessIdentity[] {
  const all = new Map<number, ProcInfo>();
  for (const entry of readdirSync('/proc')) {
    const candidate = Number(entry);
    if (!Number.isInteger(candidate)) continue;
    const info = procInfo(candidate);
    if (info && info.state !== 'Z' && info.state !== 'X') all.set(candidate, info);
  }
  const members = new Set<number>();
  const queue = [pid];
  while (queue.length > 0) {
    const current = queue.pop()!;
    if (members.has(current) || !all.has(current)) continue;
    members.add(current);
    for (const [child, info] of all) if (info.ppid === current) queue.push(child);
  }
  for (const [member, info] of all) if (info.pgrp === pid) members.add(member);
  return [...members].map((member) => ({ pid: member, startTime: all.get(member)!.startTime }));
}
