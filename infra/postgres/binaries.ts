import { execFileSync } from 'node:child_process';
import { accessSync, constants, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { ExitCode, LabError } from '../../common/errors.ts';

export interface PostgresBinaries {
  /** Directory holding initdb, pg_ctl and postgres (symlinks resolved). */
  binDir: string;
  /** e.g. "15.20" */
  version: string;
  /** Where it was found: LAB_PG_BIN, PATH, /usr/lib/postgresql, Homebrew. */
  source: string;
}

const REQUIRED = ['initdb', 'pg_ctl', 'postgres'] as const;

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function hasAllBinaries(dir: string): boolean {
  return REQUIRED.every((name) => isExecutable(path.join(dir, name)));
}

/** `/usr/lib/postgresql/15/bin` style directories, highest major version first. */
function versionedDirs(pattern: { parent: string; prefix: string; suffix: string }): string[] {
  let entries: string[];
  try {
    entries = readdirSync(pattern.parent);
  } catch {
    return [];
  }
  return entries
    .filter((entry) => entry.startsWith(pattern.prefix))
    .map((entry) => ({ entry, major: Number.parseFloat(entry.slice(pattern.prefix.length)) }))
    .filter((candidate) => Number.isFinite(candidate.major))
    .sort((a, b) => b.major - a.major)
    .map((candidate) => path.join(pattern.parent, candidate.entry, pattern.suffix));
}

/** The PATH entry holding `postgres`, resolved through symlinks to the real bin directory. */
function fromPath(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, 'postgres');
    if (!isExecutable(candidate)) continue;
    const realDir = path.dirname(realpathSync(candidate));
    if (hasAllBinaries(realDir)) return realDir;
  }
  return undefined;
}

function candidates(env: NodeJS.ProcessEnv): Array<{ dir: string; source: string }> {
  const list: Array<{ dir: string; source: string }> = [];
  const fromEnv = env.LAB_PG_BIN;
  if (fromEnv) return [{ dir: fromEnv, source: 'LAB_PG_BIN' }];
  const onPath = fromPath(env);
  if (onPath) list.push({ dir: onPath, source: 'PATH' });
  for (const dir of versionedDirs({ parent: '/usr/lib/postgresql', prefix: '', suffix: 'bin' }))
    list.push({ dir, source: '/usr/lib/postgresql' });
  for (const parent of ['/opt/homebrew/opt', '/usr/local/opt'])
    for (const dir of versionedDirs({ parent, prefix: 'postgresql@', suffix: 'bin' }))
      list.push({ dir, source: 'Homebrew' });
  return list;
}

function versionOf(binDir: string): string {
  const output = execFileSync(path.join(binDir, 'postgres'), ['--version'], {
    encoding: 'utf8',
    timeout: 5000,
  });
  return /(\d+(?:\.\d+)?)/.exec(output)?.[1] ?? output.trim();
}

/** Finds the PostgreSQL server binaries, or undefined. LAB_PG_BIN, when set, is the only place looked at. */
export function locatePostgres(env: NodeJS.ProcessEnv = process.env): PostgresBinaries | undefined {
  for (const candidate of candidates(env)) {
    if (!hasAllBinaries(candidate.dir)) continue;
    try {
      return { binDir: candidate.dir, version: versionOf(candidate.dir), source: candidate.source };
    } catch {
      // A binary that will not even print its version is as good as missing.
    }
  }
  return undefined;
}

export function noPostgresError(env: NodeJS.ProcessEnv = process.env): LabError {
  const where = env.LAB_PG_BIN
    ? `LAB_PG_BIN=${env.LAB_PG_BIN} does not hold initdb, pg_ctl and postgres`
    : 'no PostgreSQL server binaries (initdb, pg_ctl, postgres) on PATH, in /usr/lib/postgresql/*/bin or Homebrew';
  return new LabError('E_NO_POSTGRES', `the local runtime needs PostgreSQL: ${where}.`, {
    exitCode: ExitCode.infrastructure,
    hint: 'Install it (apt-get install postgresql, or brew install postgresql@16), point LAB_PG_BIN at its bin directory, or use --runtime docker.',
  });
}

export function requirePostgres(env: NodeJS.ProcessEnv = process.env): PostgresBinaries {
  const found = locatePostgres(env);
  if (!found) throw noPostgresError(env);
  return found;
}
