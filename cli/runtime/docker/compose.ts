/**
 * `docker compose` (v2 plugin) or `docker-compose` (v1), whichever this machine has, always with the
 * runtime's project name and files, through execa.
 */
import { readFileSync } from 'node:fs';
import { execa } from 'execa';
import { parse } from 'yaml';
import { ExitCode, LabError } from '../../../common/errors.ts';
import type { DockerConfig } from './config.ts';

export interface ComposeCommand {
  file: string;
  /** Arguments before the compose arguments (`compose` for the plugin). */
  prefix: string[];
  version: string;
  /** 2 for the plugin, 1 for the Python docker-compose. */
  major: 1 | 2;
}

let found: Promise<ComposeCommand | undefined> | undefined;

async function probe(file: string, prefix: string[], major: 1 | 2): Promise<ComposeCommand | undefined> {
  try {
    const result = await execa(file, [...prefix, 'version', '--short'], { timeout: 15_000, reject: false });
    if (result.exitCode !== 0) return undefined;
    return { file, prefix, version: String(result.stdout).trim(), major };
  } catch {
    return undefined;
  }
}

/** The compose command, looked up once per process: the v2 plugin first. */
export function findCompose(): Promise<ComposeCommand | undefined> {
  found ??= (async () => (await probe('docker', ['compose'], 2)) ?? (await probe('docker-compose', [], 1)))();
  return found;
}

export async function requireCompose(): Promise<ComposeCommand> {
  const compose = await findCompose();
  if (compose) return compose;
  throw new LabError(
    'E_NO_COMPOSE',
    'neither `docker compose` (v2) nor `docker-compose` (v1) is installed.',
    {
      exitCode: ExitCode.infrastructure,
      hint: 'Install the Docker Compose plugin (or docker-compose), or use --runtime local.',
    },
  );
}

export interface ComposeRun {
  /** Extra environment for interpolation in the compose files (ports, switches, secrets). */
  env?: Record<string, string>;
  signal?: AbortSignal;
  /** Called with the child's pid as soon as it runs (so another `lab` can stop it). */
  onSpawn?: (pid: number) => void;
  /** Stream the child's output here instead of collecting it. */
  onOutput?: (line: string) => void;
}

export interface ComposeResult {
  exitCode: number;
  output: string;
}

/** Runs one compose command for the project; never throws on a non-zero exit (the caller decides). */
export async function runCompose(
  config: DockerConfig,
  args: string[],
  options: ComposeRun = {},
): Promise<ComposeResult> {
  const compose = await requireCompose();
  const fileArgs = config.composeFiles.flatMap((file) => ['-f', file]);
  const child = execa(compose.file, [...compose.prefix, '-p', config.project, ...fileArgs, ...args], {
    env: { ...options.env, COMPOSE_PROJECT_NAME: config.project },
    reject: false,
    all: true,
    stdin: 'ignore',
    ...(options.signal ? { cancelSignal: options.signal, forceKillAfterDelay: 3000 } : {}),
  });
  if (child.pid !== undefined) options.onSpawn?.(child.pid);
  if (options.onOutput && child.all) {
    const onOutput = options.onOutput;
    let pending = '';
    child.all.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split(/\r?\n|\r/);
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) onOutput(line.trim());
    });
  }
  const result = await child;
  return { exitCode: result.exitCode ?? 1, output: String(result.all ?? '') };
}

/** Like runCompose, but a non-zero exit is an infrastructure failure carrying compose's last lines. */
export async function composeOrThrow(
  config: DockerConfig,
  args: string[],
  options: ComposeRun & { what: string },
): Promise<ComposeResult> {
  const result = await runCompose(config, args, options);
  if (result.exitCode !== 0 && !options.signal?.aborted)
    throw new LabError('E_COMPOSE_FAILED', `${options.what} failed (compose exit ${result.exitCode}).`, {
      exitCode: ExitCode.infrastructure,
      hint: lastLines(result.output, 12),
    });
  return result;
}

export function lastLines(text: string, count: number): string {
  return text.split('\n').filter(Boolean).slice(-count).join('\n');
}

/**
 * The services `compose up` starts: those of `compose config --services` without a profile or with
 * one named in COMPOSE_PROFILES. docker-compose v1 lists profiled services (Jaeger's `tracing`)
 * that its `up` then leaves out, so the health watch would wait for them forever.
 */
export function startedServices(
  config: DockerConfig,
  listed: string[],
  env: NodeJS.ProcessEnv = process.env,
): string[] {
  const active = new Set(
    (env.COMPOSE_PROFILES ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean),
  );
  const profiles = new Map<string, string[]>();
  for (const file of config.composeFiles) {
    const services = (
      parse(readFileSync(file, 'utf8')) as { services?: Record<string, { profiles?: string[] }> }
    ).services;
    for (const [name, service] of Object.entries(services ?? {}))
      if (service?.profiles) profiles.set(name, service.profiles);
  }
  return listed.filter((name) => {
    const wanted = profiles.get(name);
    return !wanted || wanted.some((profile) => active.has(profile));
  });
}
