/**
 * `<home>/console.json`: where the running console of a lab home listens, so `lab ui` (any shell)
 * finds it and prints its URL instead of starting a second one.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isSameLiveProcess } from '../runtime/local/proc.ts';

export interface ConsoleRecord {
  pid: number;
  /** From /proc/<pid>/stat: a recycled pid never counts as the console. */
  startTime: number;
  port: number;
  startedAt: string;
}

export function consoleRecordFile(home: string): string {
  return path.join(home, 'console.json');
}

export function readConsoleRecord(home: string): ConsoleRecord | undefined {
  try {
    return JSON.parse(readFileSync(consoleRecordFile(home), 'utf8')) as ConsoleRecord;
  } catch {
    return undefined;
  }
}

export function writeConsoleRecord(home: string, record: ConsoleRecord): void {
  writeFileSync(consoleRecordFile(home), `${JSON.stringify(record, null, 2)}\n`, { mode: 0o600 });
}

export function removeConsoleRecord(home: string, pid: number): void {
  if (readConsoleRecord(home)?.pid === pid) rmSync(consoleRecordFile(home), { force: true });
}

/** The record of a console that is alive now, else undefined. */
export function liveConsole(home: string): ConsoleRecord | undefined {
  const record = readConsoleRecord(home);
  return record && isSameLiveProcess(record.pid, record.startTime) ? record : undefined;
}

/** The URL to open: the token in it becomes the browser's cookie on first visit (Jupyter style). */
export function consoleUrl(record: Pick<ConsoleRecord, 'port'>, token?: string): string {
  const base = `http://127.0.0.1:${record.port}/`;
  return token ? `${base}?token=${encodeURIComponent(token)}` : base;
}
