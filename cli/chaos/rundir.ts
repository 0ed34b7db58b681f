/**
 * The run directory (`.lab/runs/<id>/`): what a run keeps so it can be read, re-checked and
 * reported on after the stack is gone (`lab down --purge`). This module writes the run data that
 * comes from the stack (rows, events, log slices) and finds and reads runs back.
 *
 *   scenario.yaml  seed  history.jsonl  decisions.jsonl  run.log   (the engine, as the run goes)
 *   rows/<service>.json  rows/scope.json                             the snapshot the checks read
 *   events.jsonl                                                     the saga flow (run-events.ts)
 *   traces.jsonl                                                     spans received during the run
 *   logs/<process>.log                                               this run's slice of each log
 *   result.json  junit.xml  report.html
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { badInput } from '../../common/errors.ts';
import { DATABASE_SERVICES } from '../../common/roster.ts';
import { sliceSpans } from '../../infra/otel-collector/receiver.ts';
import { labHome } from '../home.ts';
import type { Runtime } from '../runtime/types.ts';
import type { RunSnapshot, ServiceRows, SnapshotScope } from './capture.ts';
import { runEvents } from './run-events.ts';

export function runsRoot(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(labHome(env), 'runs');
}

/** Writes the snapshot (rows/) and the saga flow derived from it (events.jsonl). */
export function writeRunData(runDir: string, snapshot: RunSnapshot): void {
  const rowsDir = path.join(runDir, 'rows');
  mkdirSync(rowsDir, { recursive: true });
  writeFileSync(
    path.join(rowsDir, 'scope.json'),
    `${JSON.stringify({ capturedAt: snapshot.capturedAt, scope: snapshot.scope }, null, 2)}\n`,
  );
  for (const service of DATABASE_SERVICES)
    writeFileSync(path.join(rowsDir, `${service}.json`), `${JSON.stringify(snapshot.rows[service])}\n`);
  writeFileSync(
    path.join(runDir, 'events.jsonl'),
    runEvents(snapshot)
      .map((event) => `${JSON.stringify(event)}\n`)
      .join(''),
  );
}

export function readSnapshot(runDir: string): RunSnapshot {
  const rowsDir = path.join(runDir, 'rows');
  if (!existsSync(path.join(rowsDir, 'scope.json')))
    throw badInput(
      'E_NO_RUN_DATA',
      `${runDir} holds no captured rows (rows/scope.json): the run stopped before its checks, or an older lab wrote it`,
    );
  const { capturedAt, scope } = JSON.parse(readFileSync(path.join(rowsDir, 'scope.json'), 'utf8')) as {
    capturedAt: string;
    scope: SnapshotScope;
  };
  const rows = Object.fromEntries(
    DATABASE_SERVICES.map((service) => {
      const file = path.join(rowsDir, `${service}.json`);
      // A run stored before a service existed has no rows of it: it had no events either.
      if (!existsSync(file)) return [service, { outbox: [], inbox: [], dead_letters: [] }];
      return [service, JSON.parse(readFileSync(file, 'utf8')) as unknown];
    }),
  ) as unknown as ServiceRows;
  return { capturedAt, scope, rows };
}

/** Reads a JSON-lines file; a missing file is an empty list. */
export function readJsonLines<T>(file: string): T[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

/** A log line's time: pino's `time` (ISO or epoch ms), else a timestamp the line starts with. */
function lineTime(line: string): number | undefined {
  if (line.startsWith('{')) {
    const match = /"time":\s*("([^"]+)"|(\d+))/.exec(line);
    if (match) return match[2] !== undefined ? Date.parse(match[2]) : Number(match[3]);
  }
  const leading = /^\[?(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z| ?UTC|[+-]\d{2}:?\d{2})?)/.exec(
    line,
  );
  if (!leading?.[1]) return undefined;
  const parsed = Date.parse(leading[1].replace(' UTC', 'Z').replace(' ', 'T'));
  return Number.isNaN(parsed) ? undefined : parsed;
}

/**
 * This run's slice of a log that covers the stack's whole life: the lines stamped at or after
 * `sinceMs`. A line without a time (a stack trace, a wrapped message) goes with the line before it.
 */
export function sliceLog(text: string, sinceMs: number): string {
  const kept: string[] = [];
  let keeping = false;
  for (const line of text.split('\n')) {
    const time = lineTime(line);
    if (time !== undefined) keeping = time >= sinceMs;
    if (keeping) kept.push(line);
  }
  return kept.length === 0 ? '' : `${kept.join('\n').replace(/\n+$/, '')}\n`;
}

/** Copies this run's slice of each stack process's log into `dir`. */
export async function collectLogs(
  runtime: Runtime,
  dir: string,
  options: { sinceMs: number },
): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const status = await runtime.status();
  for (const process of status.processes) {
    const chunks: string[] = [];
    try {
      await runtime.logs(process.name, { follow: false, write: (chunk) => chunks.push(chunk) });
    } catch {
      continue;
    }
    writeFileSync(path.join(dir, `${process.name}.log`), sliceLog(chunks.join(''), options.sinceMs));
  }
}

/** Where the lab's span receiver (infra/otel-collector) appends the spans the services export. */
export function spansFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(labHome(env), 'spans.jsonl');
}

/** traces.jsonl: the spans of the traces that started during the run (empty when none were exported). */
export function collectSpans(
  runDir: string,
  options: { sinceMs: number; untilMs: number; fromByte?: number; file?: string },
): number {
  const spans = sliceSpans(options.file ?? spansFile(), options.sinceMs, options.untilMs, options.fromByte);
  writeFileSync(path.join(runDir, 'traces.jsonl'), spans.map((span) => `${JSON.stringify(span)}\n`).join(''));
  return spans.length;
}

export interface RunSummary {
  id: string;
  dir: string;
  scenario?: string;
  verdict?: string;
  expectationMet?: boolean;
  startedAt?: string;
  durationMs?: number;
  seed?: number;
}

/** Every run directory under `root`, newest first (by result.json's start, else by mtime). */
export function listRuns(root: string = runsRoot()): RunSummary[] {
  if (!existsSync(root)) return [];
  const runs = readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry): RunSummary & { sortKey: number } => {
      const dir = path.join(root, entry.name);
      const summary: RunSummary & { sortKey: number } = {
        id: entry.name,
        dir,
        sortKey: statSync(dir).mtimeMs,
      };
      try {
        const result = JSON.parse(readFileSync(path.join(dir, 'result.json'), 'utf8')) as Record<
          string,
          unknown
        >;
        Object.assign(summary, {
          scenario: result.scenario,
          verdict: result.verdict,
          expectationMet: result.expectationMet,
          startedAt: result.startedAt,
          durationMs: result.durationMs,
          seed: result.seed,
        });
        const started = Date.parse(String(result.startedAt));
        if (!Number.isNaN(started)) summary.sortKey = started;
      } catch {
        // A run still going, or one that died before result.json: listed without a verdict.
      }
      return summary;
    });
  return runs.sort((a, b) => b.sortKey - a.sortKey).map(({ sortKey: _, ...run }) => run);
}

/**
 * A run named on the command line: `latest`, a run id under .lab/runs, or a directory path.
 * Refused (exit 2) when nothing matches.
 */
export function resolveRun(name: string, root: string = runsRoot()): string {
  if (name === 'latest') {
    const newest = listRuns(root)[0];
    if (!newest)
      throw badInput('E_NO_RUNS', `no runs in ${root} yet`, 'Run a scenario first: lab chaos order-saga');
    return newest.dir;
  }
  if (existsSync(path.join(name, 'scenario.yaml')) || existsSync(path.join(name, 'result.json')))
    return path.resolve(name);
  const underRoot = path.join(root, name);
  if (existsSync(underRoot)) return underRoot;
  const prefixed = listRuns(root).filter((run) => run.id.startsWith(name) || run.id.endsWith(name));
  if (prefixed.length === 1) return prefixed[0]!.dir;
  throw badInput(
    'E_NO_SUCH_RUN',
    `no run '${name}' (neither a run directory nor a run id in ${root})`,
    'See the runs with: lab runs',
  );
}
