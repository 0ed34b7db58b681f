import { accessSync, constants, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { locatePostgres } from '../../infra/postgres/binaries.ts';
import { labHome } from '../home.ts';
import { pingDocker, selectRuntime } from '../runtime/select.ts';

export interface DoctorReport {
  node: { ok: boolean; version: string; required: string };
  docker: { ok: boolean; version?: string; where: string; reason?: string };
  compose: { ok: boolean; variant?: 'v2' | 'v1'; command?: string; version?: string; reason?: string };
  postgres: { ok: boolean; binDir?: string; version?: string; source?: string; reason?: string };
  labHome: { ok: boolean; path: string; reason?: string };
  runtime: { auto: 'local' | 'docker'; reason: string };
}

const MIN_NODE = [22, 6] as const;

function probeNode(): DoctorReport['node'] {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const ok = major > MIN_NODE[0] || (major === MIN_NODE[0] && minor >= MIN_NODE[1]);
  return { ok, version: process.versions.node, required: `>= ${MIN_NODE.join('.')}` };
}

async function probeCompose(): Promise<DoctorReport['compose']> {
  const { execa } = await import('execa');
  const attempts = [
    { variant: 'v2', command: 'docker compose', file: 'docker', args: ['compose', 'version', '--short'] },
    { variant: 'v1', command: 'docker-compose', file: 'docker-compose', args: ['version', '--short'] },
  ] as const;
  const results = await Promise.all(
    attempts.map((attempt) => execa(attempt.file, attempt.args, { timeout: 1500, reject: false })),
  );
  for (const [index, attempt] of attempts.entries()) {
    const result = results[index]!;
    if (result.exitCode === 0 && result.stdout.trim())
      return { ok: true, variant: attempt.variant, command: attempt.command, version: result.stdout.trim() };
  }
  return { ok: false, reason: 'neither `docker compose` (v2) nor `docker-compose` (v1) answered' };
}

function probePostgres(): DoctorReport['postgres'] {
  const found = locatePostgres();
  if (!found)
    return {
      ok: false,
      reason: process.env.LAB_PG_BIN
        ? `LAB_PG_BIN=${process.env.LAB_PG_BIN} has no initdb/pg_ctl/postgres`
        : 'no initdb/pg_ctl/postgres on PATH, in /usr/lib/postgresql/*/bin or Homebrew',
    };
  return { ok: true, ...found };
}

/** Writable without creating it: the lab home itself if it exists, else its nearest existing parent. */
function probeLabHome(): DoctorReport['labHome'] {
  const home = labHome();
  let existing = home;
  while (!existsSync(existing) && path.dirname(existing) !== existing) existing = path.dirname(existing);
  try {
    if (!statSync(existing).isDirectory())
      return { ok: false, path: home, reason: `${existing} is not a directory` };
    accessSync(existing, constants.W_OK);
    // Root passes access(); a read-only file system does not pass a real write.
    rmSync(mkdtempSync(path.join(existing, '.lab-doctor-')), { recursive: true });
    return { ok: true, path: home };
  } catch (error) {
    return {
      ok: false,
      path: home,
      reason: `${existing}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    };
  }
}

/** Every probe at once: with no Docker engine the whole report takes well under 2 s. */
export async function runDoctor(): Promise<DoctorReport> {
  const [ping, compose] = await Promise.all([pingDocker({ timeoutMs: 500 }), probeCompose()]);
  const runtime = await selectRuntime('auto', { ping });
  return {
    node: probeNode(),
    docker: ping.reachable
      ? { ok: true, version: ping.version, where: ping.where }
      : { ok: false, where: ping.where, reason: ping.reason },
    compose,
    postgres: probePostgres(),
    labHome: probeLabHome(),
    runtime: { auto: runtime.name, reason: runtime.reason },
  };
}
