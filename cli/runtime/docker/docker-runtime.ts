/**
 * The docker runtime (docs/ARCHITECTURE.md "Runtimes"): compose/docker-compose.yml run by `docker compose` or
 * `docker-compose` with a fixed project name; dockerode for health, status, logs, process faults
 * and network partitions. State in `<LAB_HOME>/docker-state.json` (see state.ts).
 */
import path from 'node:path';
import Docker from 'dockerode';
import { closest } from 'fastest-levenshtein';
import { clockFor, clockFromEnv } from '../../../common/clock.ts';
import { ExitCode, LabError } from '../../../common/errors.ts';
import { DATABASE_SERVICES, DEFAULT_KIT, INFRA, SERVICES } from '../../../common/roster.ts';
import { allocatePort } from '../../../infra/ports.ts';
import { labHome } from '../../home.ts';
import { adminToken, homeSecret } from '../home-secrets.ts';
import { isPidAlive } from '../pids.ts';
import type { Endpoints, LogsOptions, ProcessStatus, Runtime, StackStatus, UpOptions } from '../types.ts';
import { composeOrThrow, lastLines, requireCompose, runCompose, startedServices } from './compose.ts';
import { type DockerConfig, dockerConfig } from './config.ts';
import {
  inspectProject,
  isHealthy,
  PROJECT_LABEL,
  type ProjectContainer,
  processState,
  projectContainers,
} from './containers.ts';
import { streamLogs } from './logs.ts';
import { type DockerState, readDockerState, removeDockerState, writeDockerState } from './state.ts';

export interface DockerRuntimeOptions {
  /** Default: labHome(). */
  home?: string;
  /** Default: process.env (image names, LAB_DOCKER_STANDINS, LAB_COMPOSE_PROJECT...). */
  env?: NodeJS.ProcessEnv;
  /** From `compose up` to every container healthy. Default 300 s (LAB_DOCKER_START_DEADLINE_MS). */
  startDeadlineMs?: number;
  docker?: Docker;
}

/** Container ports fixed by compose/docker-compose.yml. */
const PORTS = {
  service: '8080/tcp',
  postgres: '5432/tcp',
  faultProxy: '8474/tcp',
  brokerHost: '9094/tcp',
} as const;
/** Names in the order status and logs show them. */
const KNOWN_NAMES: readonly string[] = [...INFRA, ...SERVICES];

/** Healing function of a network partition: reconnects the container with its aliases. */
export type Heal = () => Promise<void>;

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function notRunning(): LabError {
  return new LabError('E_NOT_RUNNING', 'no lab stack is running in Docker.', {
    exitCode: ExitCode.infrastructure,
    hint: 'Start one with `lab up --runtime docker`.',
  });
}

function byKnownOrder(a: string, b: string): number {
  const rank = (name: string): number =>
    KNOWN_NAMES.includes(name) ? KNOWN_NAMES.indexOf(name) : KNOWN_NAMES.length;
  return rank(a) - rank(b) || a.localeCompare(b);
}

export class DockerRuntime implements Runtime {
  readonly name = 'docker' as const;
  readonly home: string;
  readonly config: DockerConfig;
  readonly docker: Docker;
  readonly #env: NodeJS.ProcessEnv;
  readonly #startDeadlineMs: number;

  constructor(options: DockerRuntimeOptions = {}) {
    this.#env = options.env ?? process.env;
    this.home = path.resolve(options.home ?? labHome(this.#env));
    this.config = dockerConfig(this.#env);
    this.docker = options.docker ?? new Docker();
    this.#startDeadlineMs =
      options.startDeadlineMs ?? (Number(this.#env.LAB_DOCKER_START_DEADLINE_MS) || 300_000);
  }

  /** The secrets compose-file interpolation requires (it has no default for them, by design). */
  #secretsEnv(): Record<string, string> {
    return {
      LAB_ADMIN_TOKEN: adminToken(this.home, this.#env),
      LAB_JWT_SECRET: homeSecret(this.home, 'jwt-secret'),
    };
  }

  async #assertEngine(): Promise<void> {
    try {
      await this.docker.ping();
    } catch (error) {
      throw new LabError(
        'E_DOCKER_UNREACHABLE',
        `the Docker engine does not answer (${(error as Error).message}).`,
        {
          exitCode: ExitCode.infrastructure,
          hint: 'Start Docker (or set DOCKER_HOST), or use --runtime local.',
          cause: error,
        },
      );
    }
  }

  async up(options: UpOptions): Promise<Endpoints> {
    const { signal, onProgress } = options;
    await requireCompose();
    await this.#assertEngine();
    const previous = readDockerState(this.home);
    if (previous && !previous.complete && previous.upPid !== process.pid && isPidAlive(previous.upPid))
      throw new LabError(
        'E_UP_IN_PROGRESS',
        `another \`lab up\` (pid ${previous.upPid}) is starting the stack.`,
        {
          exitCode: ExitCode.infrastructure,
          hint: 'Wait for it, or stop it with `lab down`.',
        },
      );
    if (previous?.complete) {
      const status = await this.status();
      if (status.running && status.processes.every((process) => process.healthy) && status.endpoints) {
        onProgress?.('a stack is already running');
        return status.endpoints;
      }
    }
    // Whatever an earlier, interrupted `lab up` left behind is stopped first.
    if (previous) await this.#stopLeftoverProcesses(previous);

    const env: Record<string, string> = {
      // The broker advertises its host port, so it is chosen here, not by Docker: below the
      // ephemeral range, where no outgoing connection takes it before the container binds it.
      LAB_KAFKA_HOST_PORT: this.#env.LAB_KAFKA_HOST_PORT || String(await allocatePort()),
      LAB_WITHOUT: options.without.join(','),
      LAB_KIT: options.kit ?? DEFAULT_KIT,
      ...clockFor(options.clock).env(),
      ...this.#secretsEnv(),
    };
    const listed = (
      await composeOrThrow(this.config, ['config', '--services'], { env, what: 'compose config' })
    ).output
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);
    const services = startedServices(this.config, listed, this.#env);
    const state: DockerState = {
      version: 1,
      project: this.config.project,
      composeFiles: this.config.composeFiles,
      env,
      without: [...options.without],
      kit: options.kit ?? DEFAULT_KIT,
      upPid: process.pid,
      services,
      complete: false,
      startedAt: new Date().toISOString(),
    };
    writeDockerState(this.home, state);
    const trackCompose = (pid: number): void => {
      state.composePid = pid;
      writeDockerState(this.home, state);
    };

    try {
      if (this.config.build === 'auto') {
        onProgress?.(`building ${this.config.images.lab} from compose/Dockerfile`);
        // One service: every lab-image service (and the stand-ins) shares the tag.
        await composeOrThrow(this.config, ['build', 'gateway'], {
          env,
          signal,
          onSpawn: trackCompose,
          what: 'compose build',
        });
        signal?.throwIfAborted();
      }
      onProgress?.(`starting ${services.length} containers (project ${this.config.project})`);
      await this.#composeUpUntilHealthy(state, { env, signal, onProgress, onSpawn: trackCompose });
      state.composePid = undefined;
      state.complete = true;
      writeDockerState(this.home, state);
      return await this.endpoints();
    } catch (error) {
      onProgress?.('stopping what was started');
      await runCompose(this.config, ['down', '--remove-orphans', '--timeout', '5'], { env });
      removeDockerState(this.home);
      if (signal?.aborted)
        throw new LabError('E_INTERRUPTED', 'interrupted: removed every container `lab up` had started.', {
          exitCode: ExitCode.interrupted,
        });
      if (error instanceof LabError) throw error;
      throw new LabError('E_START_FAILED', `the docker stack did not start: ${(error as Error).message}`, {
        exitCode: ExitCode.infrastructure,
        cause: error,
      });
    }
  }

  /**
   * `compose up -d` and, at the same time, a health watch that reports each container as it becomes
   * healthy and fails fast (stopping compose) when one exits or turns unhealthy.
   */
  async #composeUpUntilHealthy(
    state: DockerState,
    options: {
      env: Record<string, string>;
      signal?: AbortSignal;
      onProgress?: (m: string) => void;
      onSpawn: (pid: number) => void;
    },
  ): Promise<void> {
    const internal = new AbortController();
    const signal = options.signal ? AbortSignal.any([options.signal, internal.signal]) : internal.signal;
    const composeUp = composeOrThrow(this.config, ['up', '-d', '--no-build', '--remove-orphans'], {
      env: options.env,
      signal,
      onSpawn: options.onSpawn,
      what: 'compose up',
    });
    const healthy = this.#waitHealthy(state.services, {
      deadlineMs: this.#startDeadlineMs,
      signal,
      onProgress: options.onProgress,
    });
    try {
      await Promise.all([composeUp, healthy]);
    } catch (error) {
      internal.abort(error);
      await Promise.allSettled([composeUp, healthy]);
      throw error;
    }
  }

  async #waitHealthy(
    services: string[],
    options: { deadlineMs: number; signal?: AbortSignal; onProgress?: (m: string) => void },
  ): Promise<void> {
    const deadline = Date.now() + options.deadlineMs;
    const reported = new Set<string>();
    for (;;) {
      options.signal?.throwIfAborted();
      const containers = await inspectProject(this.docker, this.config.project);
      for (const service of services) {
        const container = containers.get(service);
        if (!container) continue;
        if (container.state === 'exited' || container.state === 'dead' || container.health === 'unhealthy')
          throw await this.#failedToStart(container);
        if (isHealthy(container) && !reported.has(service)) {
          reported.add(service);
          options.onProgress?.(`${service}: healthy`);
        }
      }
      if (services.every((service) => reported.has(service))) return;
      if (Date.now() > deadline) {
        const waiting = services.filter((service) => !reported.has(service));
        throw new LabError(
          'E_START_TIMEOUT',
          `not healthy after ${Math.round(options.deadlineMs / 1000)} s: ${waiting.join(', ')}.`,
          {
            exitCode: ExitCode.infrastructure,
            hint: 'See `lab logs <name>` while it starts, or raise LAB_DOCKER_START_DEADLINE_MS.',
          },
        );
      }
      await sleep(500, options.signal);
    }
  }

  async #failedToStart(container: ProjectContainer): Promise<LabError> {
    let tail = '';
    try {
      const lines: string[] = [];
      await streamLogs(this.docker, [{ service: container.service, containerId: container.id }], {
        follow: false,
        write: (line) => lines.push(line),
      });
      tail = lastLines(lines.join(''), 15);
    } catch {
      // The logs are a courtesy; the failure is what matters.
    }
    const what = container.health === 'unhealthy' ? 'is unhealthy' : `exited with code ${container.exitCode}`;
    return new LabError('E_START_FAILED', `${container.service} ${what} while the stack started.`, {
      exitCode: ExitCode.infrastructure,
      hint: tail ? `Its last log lines:\n${tail}` : undefined,
    });
  }

  /** Stops an interrupted `lab up` (SIGINT, it cleans up itself) and a compose process it left running. */
  async #stopLeftoverProcesses(state: DockerState): Promise<void> {
    if (!state.complete && state.upPid !== process.pid && isPidAlive(state.upPid)) {
      process.kill(state.upPid, 'SIGINT');
      await this.#waitForExit(state.upPid, 30_000);
      if (isPidAlive(state.upPid)) process.kill(state.upPid, 'SIGKILL');
    }
    if (state.composePid !== undefined && isPidAlive(state.composePid)) {
      process.kill(state.composePid, 'SIGTERM');
      await this.#waitForExit(state.composePid, 5_000);
      if (isPidAlive(state.composePid)) process.kill(state.composePid, 'SIGKILL');
    }
  }

  async #waitForExit(pid: number, ms: number): Promise<void> {
    const deadline = Date.now() + ms;
    while (isPidAlive(pid) && Date.now() < deadline) await sleep(100);
  }

  async down(options: { purge: boolean }): Promise<void> {
    await requireCompose();
    await this.#assertEngine();
    const state = readDockerState(this.home);
    if (state) await this.#stopLeftoverProcesses(state);
    const args = ['down', '--remove-orphans', '--timeout', '10', ...(options.purge ? ['--volumes'] : [])];
    const result = await runCompose(this.config, args, {
      // The secrets too: compose refuses a file that interpolates without them, even to take it down.
      env: { ...this.#secretsEnv(), ...(readDockerState(this.home)?.env ?? state?.env) },
    });
    // Whatever compose did not remove (a container created by a compose process killed mid-way,
    // files changed since `up`) goes by its project label.
    await this.#sweep(options.purge);
    removeDockerState(this.home);
    const left = await projectContainers(this.docker, this.config.project);
    if (left.length > 0)
      throw new LabError(
        'E_DOWN_FAILED',
        `${left.length} container(s) of project ${this.config.project} are still there.`,
        {
          exitCode: ExitCode.infrastructure,
          hint: lastLines(result.output, 10),
        },
      );
  }

  async #sweep(purge: boolean): Promise<void> {
    const label = { label: [`${PROJECT_LABEL}=${this.config.project}`] };
    for (const container of await projectContainers(this.docker, this.config.project))
      await this.docker
        .getContainer(container.Id)
        .remove({ force: true, v: false })
        .catch(() => undefined);
    for (const network of await this.docker.listNetworks({ filters: label }))
      await this.docker
        .getNetwork(network.Id)
        .remove()
        .catch(() => undefined);
    if (purge) {
      const { Volumes } = await this.docker.listVolumes({ filters: label });
      for (const volume of Volumes ?? [])
        await this.docker
          .getVolume(volume.Name)
          .remove()
          .catch(() => undefined);
    }
  }

  async status(): Promise<StackStatus> {
    const state = readDockerState(this.home);
    let containers: Map<string, ProjectContainer>;
    try {
      containers = await inspectProject(this.docker, this.config.project);
    } catch {
      return {
        runtime: 'docker',
        running: false,
        without: state?.without ?? [],
        kit: state?.kit ?? DEFAULT_KIT,
        processes: [],
      };
    }
    const processes = [...containers.values()]
      .sort((a, b) => byKnownOrder(a.service, b.service))
      .map((container): ProcessStatus => {
        const isService = (SERVICES as readonly string[]).includes(container.service);
        const port =
          container.ports.get(isService ? PORTS.service : this.#mainPort(container.service)) ??
          [...container.ports.values()][0];
        return {
          name: container.service,
          kind: isService ? 'service' : 'infra',
          state: processState(container),
          healthy: isHealthy(container),
          containerId: container.id.slice(0, 12),
          port,
          url: isService && port ? `http://127.0.0.1:${port}` : undefined,
        };
      });
    const running = processes.some((process) => process.state === 'running' || process.state === 'paused');
    return {
      runtime: 'docker',
      running,
      without: state?.without ?? [],
      kit: state?.kit ?? DEFAULT_KIT,
      clock: state ? clockFromEnv(state.env).toJSON() : undefined,
      processes,
      endpoints: running ? this.#endpointsOf(containers, state) : undefined,
    };
  }

  #mainPort(service: string): string {
    if (service === 'postgres') return PORTS.postgres;
    if (service === 'fault-proxy') return PORTS.faultProxy;
    if (service === 'kafka') return PORTS.brokerHost;
    return PORTS.service;
  }

  /** Endpoints from the published ports; undefined until every piece has its port. */
  #endpointsOf(
    containers: Map<string, ProjectContainer>,
    state: DockerState | undefined,
  ): Endpoints | undefined {
    const hostPort = (service: string, port: string): number | undefined =>
      containers.get(service)?.ports.get(port);
    const gateway = hostPort('gateway', PORTS.service);
    const postgres = hostPort('postgres', PORTS.postgres);
    const faultProxy = hostPort('fault-proxy', PORTS.faultProxy);
    const broker = hostPort('kafka', PORTS.brokerHost);
    if (!gateway || !postgres || !faultProxy || !broker) return undefined;
    const password = encodeURIComponent(this.#env.LAB_DB_PASSWORD || 'lab');
    const services = {} as Endpoints['services'];
    for (const service of SERVICES) {
      const port = hostPort(service, PORTS.service);
      if (port) services[service] = `http://127.0.0.1:${port}`;
    }
    const endpoints: Endpoints = {
      gatewayUrl: `http://127.0.0.1:${gateway}`,
      faultProxyUrl: `http://127.0.0.1:${faultProxy}`,
      brokerBootstrap: `127.0.0.1:${broker}`,
      databases: Object.fromEntries(
        DATABASE_SERVICES.map((service) => [
          service,
          `postgres://${service}:${password}@127.0.0.1:${postgres}/${service}`,
        ]),
      ) as Endpoints['databases'],
      services,
      adminToken: state?.env.LAB_ADMIN_TOKEN ?? adminToken(this.home, this.#env),
    };
    return endpoints;
  }

  async endpoints(): Promise<Endpoints> {
    const status = await this.status();
    if (!status.running || !status.endpoints) throw notRunning();
    return status.endpoints;
  }

  async #container(target: string): Promise<ProjectContainer> {
    const containers = await inspectProject(this.docker, this.config.project);
    const container = containers.get(target);
    if (container) return container;
    if (containers.size === 0) throw notRunning();
    const names = [...new Set([...containers.keys(), ...KNOWN_NAMES])].sort(byKnownOrder);
    throw new LabError('E_UNKNOWN_NAME', `'${target}' is not a piece of this stack.`, {
      exitCode: ExitCode.badInput,
      hint: `The closest is '${closest(target, names)}'. Known: ${names.join(', ')}.`,
    });
  }

  async logs(target: string | undefined, options: LogsOptions): Promise<void> {
    const containers =
      target === undefined
        ? [...(await inspectProject(this.docker, this.config.project)).values()]
        : [await this.#container(target)];
    if (containers.length === 0) throw notRunning();
    containers.sort((a, b) => byKnownOrder(a.service, b.service));
    await streamLogs(
      this.docker,
      containers.map((container) => ({ service: container.service, containerId: container.id })),
      options,
    );
  }

  /** SIGKILL (docker kill): the container stays down until restart. */
  async kill(target: string): Promise<void> {
    const container = await this.#container(target);
    if (container.state === 'paused') await this.docker.getContainer(container.id).unpause();
    if (container.state === 'running' || container.state === 'paused')
      await this.docker.getContainer(container.id).kill({ signal: 'SIGKILL' });
  }

  /** docker stop: SIGTERM, SIGKILL after 10 s; the container stays down until restart. */
  async stop(target: string): Promise<void> {
    const container = await this.#container(target);
    if (container.state === 'paused') await this.docker.getContainer(container.id).unpause();
    if (container.state === 'running' || container.state === 'paused')
      await this.docker.getContainer(container.id).stop({ t: 10 });
  }

  /** docker restart (a killed container is started again), then waits until healthy. */
  async restart(target: string): Promise<void> {
    const container = await this.#container(target);
    if (container.state === 'paused') await this.docker.getContainer(container.id).unpause();
    await this.docker.getContainer(container.id).restart({ t: 10 });
    await this.#waitHealthy([target], { deadlineMs: this.#startDeadlineMs });
  }

  async pause(target: string): Promise<void> {
    const container = await this.#container(target);
    if (container.state !== 'paused') await this.docker.getContainer(container.id).pause();
  }

  async resume(target: string): Promise<void> {
    const container = await this.#container(target);
    if (container.state === 'paused') await this.docker.getContainer(container.id).unpause();
  }

  /**
   * A real network partition: the container is disconnected from every network of the project (it
   * keeps running, its connections break, nothing reaches it). Returns the heal, which connects it
   * again with the same aliases (so its service name resolves again); safe to call twice.
   */
  async partition(target: string): Promise<Heal> {
    const container = await this.#container(target);
    const attached = [...container.networks.entries()];
    for (const [network] of attached)
      await this.docker.getNetwork(network).disconnect({ Container: container.id, Force: true });
    let healed: Promise<void> | undefined;
    return () => {
      healed ??= (async () => {
        const now = await this.#container(target);
        for (const [network, aliases] of attached) {
          if (now.networks.has(network)) continue;
          const keep = aliases.filter((alias) => alias !== container.id.slice(0, 12));
          await this.docker
            .getNetwork(network)
            .connect({ Container: container.id, EndpointConfig: { Aliases: keep } });
        }
      })();
      return healed;
    };
  }

  /** Whether `target` is cut off by partition() (attached to no network). */
  async isPartitioned(target: string): Promise<boolean> {
    return (await this.#container(target)).networks.size === 0;
  }
}
