import { existsSync } from 'node:fs';
import path from 'node:path';
import { ExitCode, LabError } from '../../common/errors.ts';
import { labHome } from '../home.ts';
import { LocalRuntime } from './local/local-runtime.ts';
import type { Runtime, RuntimeName } from './types.ts';

export const RUNTIME_CHOICES = ['auto', 'local', 'docker'] as const;
export type RuntimeChoice = (typeof RUNTIME_CHOICES)[number];

export interface RuntimeSelection {
  name: RuntimeName;
  /** One line, for `lab up` and `lab doctor`. */
  reason: string;
}

export type DockerPing =
  | { reachable: true; version: string; where: string }
  | { reachable: false; reason: string; where: string };

/**
 * The docker runtime module, written separately. Contract: `cli/runtime/docker/index.ts` exports
 * `createDockerRuntime(): Runtime` and `requiredImages(): string[]` (the images compose would run).
 */
const DOCKER_MODULE = new URL('./docker/index.ts', import.meta.url);
interface DockerModule {
  createDockerRuntime(): Runtime;
  requiredImages?(): string[];
}

export function dockerRuntimeAvailable(): boolean {
  return existsSync(DOCKER_MODULE);
}

async function loadDockerModule(): Promise<DockerModule> {
  return (await import(DOCKER_MODULE.href)) as DockerModule;
}

/** dockerode is loaded on first use: it costs every other `lab` command hundreds of ms at start-up. */
async function dockerClient(timeoutMs: number) {
  const { default: Docker } = await import('dockerode');
  return new Docker({ timeout: timeoutMs });
}

function dockerWhere(env: NodeJS.ProcessEnv): string {
  return env.DOCKER_HOST ?? '/var/run/docker.sock';
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** dockerode ping + version with a short deadline: absent Docker must cost well under a second. */
export async function pingDocker(
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<DockerPing> {
  const env = options.env ?? process.env;
  const where = dockerWhere(env);
  const timeoutMs = options.timeoutMs ?? 500;
  if (!env.DOCKER_HOST && !existsSync(where))
    return { reachable: false, reason: `no socket at ${where}`, where };
  try {
    const docker = await dockerClient(timeoutMs);
    await withTimeout(docker.ping(), timeoutMs, 'the Docker engine');
    const version = await withTimeout(docker.version(), timeoutMs, 'the Docker engine');
    return { reachable: true, version: version.Version, where };
  } catch (error) {
    return { reachable: false, reason: (error as Error).message, where };
  }
}

/** Images the docker runtime needs that are neither present nor resolvable in their registry. */
async function unavailableImages(images: string[]): Promise<string[]> {
  const docker = await dockerClient(2000);
  const missing: string[] = [];
  for (const image of images) {
    try {
      await withTimeout(docker.getImage(image).inspect(), 2000, 'image inspect');
      continue;
    } catch {
      // Not present locally: is it pullable?
    }
    try {
      await withTimeout(docker.getImage(image).distribution(), 3000, 'the registry');
    } catch {
      missing.push(image);
    }
  }
  return missing;
}

export function parseRuntimeChoice(value: string): RuntimeChoice {
  if ((RUNTIME_CHOICES as readonly string[]).includes(value)) return value as RuntimeChoice;
  throw new LabError('E_BAD_RUNTIME', `unknown runtime '${value}'.`, {
    exitCode: ExitCode.badInput,
    hint: `Choose one of: ${RUNTIME_CHOICES.join(', ')}.`,
  });
}

/** `--runtime auto`: docker when an engine answers and its images are present or pullable, else local. */
export async function selectRuntime(
  choice: RuntimeChoice,
  options: { ping?: DockerPing } = {},
): Promise<RuntimeSelection> {
  if (choice === 'local') return { name: 'local', reason: 'asked for with --runtime local' };
  if (choice === 'docker') return { name: 'docker', reason: 'asked for with --runtime docker' };
  const ping = options.ping ?? (await pingDocker());
  if (!ping.reachable) return { name: 'local', reason: `no Docker engine answered (${ping.reason})` };
  if (!dockerRuntimeAvailable())
    return {
      name: 'local',
      reason: `Docker ${ping.version} answers, but this version of lab has no docker runtime yet`,
    };
  const module = await loadDockerModule();
  const missing = await unavailableImages(module.requiredImages?.() ?? []);
  if (missing.length > 0)
    return {
      name: 'local',
      reason: `Docker ${ping.version} answers, but images are missing and not pullable: ${missing.join(', ')}`,
    };
  return { name: 'docker', reason: `Docker ${ping.version} answers and the images are present or pullable` };
}

export async function createRuntime(name: RuntimeName): Promise<Runtime> {
  if (name === 'local') return new LocalRuntime();
  if (!dockerRuntimeAvailable())
    throw new LabError('E_NOT_AVAILABLE', 'the docker runtime is not yet available in this version of lab.', {
      exitCode: ExitCode.badInput,
      hint: 'Use --runtime local (needs PostgreSQL binaries; see `lab doctor`).',
    });
  return (await loadDockerModule()).createDockerRuntime();
}

/**
 * The runtime of the stack that is up (for status, down, logs, kill...): the local one when its
 * state shows live processes, else docker when that runtime exists and reports a running stack,
 * else local (which then says nothing is running).
 */
export async function runtimeOfRunningStack(): Promise<Runtime> {
  const local = new LocalRuntime();
  if (local.liveState() || !dockerRuntimeAvailable()) return local;
  // A docker `lab up` left its state in the lab home: that stack is the one meant, even when a busy
  // engine misses the ping's short deadline.
  if (existsSync(path.join(labHome(), 'docker-state.json')))
    return (await loadDockerModule()).createDockerRuntime();
  const ping = await pingDocker();
  if (!ping.reachable) return local;
  const docker = (await loadDockerModule()).createDockerRuntime();
  return (await docker.status()).running ? docker : local;
}
