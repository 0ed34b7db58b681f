/**
 * A `lab chaos` run going on against this stack, from another shell: the newest run directory
 * of the home that has no result.json yet and whose run.log moved recently. The console shows its
 * phase and the last lines of its log (faults started and healed, checks), read from the file the
 * engine writes anyway, so the engine needs no link to the console.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

export interface LiveRunView {
  id: string;
  phase: string;
  lines: string[];
}

/** A run whose log has not moved for this long is a run that died, not one still going. */
const STALE_MS = 90_000;

export function liveChaosRun(home: string, now = Date.now()): LiveRunView | null {
  const root = path.join(home, 'runs');
  let entries: string[];
  try {
    entries = readdirSync(root);
  } catch {
    return null;
  }
  // Run ids start with a UTC timestamp: the greatest is the newest.
  const newest = entries.sort().at(-1);
  if (!newest) return null;
  const dir = path.join(root, newest);
  const log = path.join(dir, 'run.log');
  if (existsSync(path.join(dir, 'result.json')) || !existsSync(log)) return null;
  if (now - statSync(log).mtimeMs > STALE_MS) return null;
  const lines = readFileSync(log, 'utf8')
    .trimEnd()
    .split('\n')
    .map((line) => line.replace(/^\S+Z /, ''));
  const phase = lines.findLast((line) => line.startsWith('phase '))?.slice('phase '.length) ?? 'stack';
  return { id: newest, phase, lines: lines.filter((line) => !line.startsWith('phase ')).slice(-8) };
}
