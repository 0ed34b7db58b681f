import { readFileSync } from 'node:fs';

/** What /proc says about one process. */
export interface ProcInfo {
  /** R, S, D, T (stopped), t, Z (zombie), X, I ... */
  state: string;
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
  return { state: fields[0] ?? '?', pgrp: Number(fields[2]), startTime: Number(fields[19]) };
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
