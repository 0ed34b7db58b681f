import { randomBytes } from 'node:crypto';
import { accessSync, constants, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { closest } from 'fastest-levenshtein';
import { clockFor } from '../../../common/clock.ts';
import { ExitCode, LabError } from '../../../common/errors.ts';
import { DATABASE_SERVICES, type DatabaseServiceName, DEFAULT_KIT } from '../../../common/roster.ts';
import { bindError } from '../../../infra/ports.ts';
import { locatePostgres, requirePostgres } from '../../../infra/postgres/binaries.ts';
import { PostgresCluster, type SynchronousCommit } from '../../../infra/postgres/cluster.ts';
import { runningPostmaster } from '../../../infra/postgres/leftovers.ts';
import { labHome } from '../../home.ts';
import { isPidAlive } from '../pids.ts';
import type { Endpoints, LogsOptions, ProcessStatus, Runtime, StackStatus, UpOptions } from '../types.ts';
import type { Component, StackContext } from './component.ts';
import { parseFixedPorts } from './fixed-ports.ts';
import { isHealthy } from './health.ts';
import { followLogs } from './logs.ts';
import { allocatePorts, assertPortFree, readPreviousPorts, writePreviousPorts } from './ports.ts';
import { procInfo } from './proc.ts';
import { availableComponents, ensureDir, STACK } from './stack.ts';
import { readState, removeState, type StackState, stateClock, writeState } from './state.ts';
import {
  findTagged,
  isAlive,
  killProcess,
  type ProcessRecord,
  type ProcessSpec,
  pauseProcess,
  processState,
  resumeProcess,
  startProcess,
  stopProcess,
  waitHealthy,
} from './supervisor.ts';
import { acquireUpLock } from './up-lock.ts';

export interface LocalRuntimeOptions {
  /** Default: labHome() (`.lab/` or LAB_HOME). */
  home?: string;
  /** Default: the entries of STACK whose code is present. */
  components?: readonly Component[];
  /** Per piece, from start to healthy. Default 90 s (a 2-core machine running initdb is slow). */
  startDeadlineMs?: number;
  /** Default: LAB_PG_SYNCHRONOUS_COMMIT, else 'on'. */
  synchronousCommit?: SynchronousCommit;
  /** Pinned ports, LAB_PORTS syntax (`gateway=8080,postgres=5432`). Default: LAB_PORTS. */
  fixedPorts?: string;
}

/**
 * LAB_COMPONENTS=postgres,kafka starts only those pieces of the stack (for working on one piece,
 * and for tests of the runtime itself); unset, every available piece.
 */
function componentsFrom(value: string | undefined): Component[] {
  const available = availableComponents();
  if (!value?.trim()) return available;
  const wanted = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const names = STACK.map((component) => component.name);
  for (const name of wanted)
    if (!names.includes(name))
      throw new LabError('E_UNKNOWN_NAME', `LAB_COMPONENTS: '${name}' is not a piece of the stack.`, {
        exitCode: ExitCode.badInput,
        hint: `The closest is '${closest(name, names)}'. Known: ${names.join(', ')}.`,
      });
  return available.filter((component) => wanted.includes(component.name));
}

const SYNCHRONOUS_COMMIT = ['on', 'off', 'local', 'remote_write', 'remote_apply'] as const;

function synchronousCommitFrom(value: string | undefined): SynchronousCommit {
  if (value === undefined || value === '') return 'on';
  if ((SYNCHRONOUS_COMMIT as readonly string[]).includes(value)) return value as SynchronousCommit;
  throw new LabError(
    'E_BAD_SETTING',
    `LAB_PG_SYNCHRONOUS_COMMIT=${value} is not a synchronous_commit value.`,
    {
      exitCode: ExitCode.badInput,
      hint: `Use one of: ${SYNCHRONOUS_COMMIT.join(', ')}.`,
    },
  );
}

function emptyEndpoints(): Endpoints {
  return {
    gatewayUrl: '',
    faultProxyUrl: '',
    adminToken: '',
    brokerBootstrap: '',
    databases: Object.fromEntries(
      DATABASE_SERVICES.map((service) => [service, '']),
    ) as Endpoints['databases'],
    services: {} as Endpoints['services'],
  };
}

export function notRunningError(): LabError {
  return new LabError('E_NOT_RUNNING', 'no lab stack is running here.', {
    exitCode: ExitCode.infrastructure,
    hint: `Start one with \`lab up\` (state is looked up in ${labHome()}; set LAB_HOME if it lives elsewhere).`,
  });
}

function specOf(record: ProcessRecord): ProcessSpec {
  const { pid: _pid, startTime: _startTime, logFile: _logFile, startedAt: _startedAt, ...spec } = record;
  return spec;
}

/** Groups by `order`, ascending: each group starts together. */
function inOrder<T extends { order: number }>(items: readonly T[]): T[][] {
  const orders = [...new Set(items.map((item) => item.order))].sort((a, b) => a - b);
  return orders.map((order) => items.filter((item) => item.order === order));
}

/** Runs every task, then rethrows the first failure (so no task is left running unobserved). */
async function allOrFirstError(tasks: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(tasks);
  const failure = results.find((result) => result.status === 'rejected');
  if (failure) throw failure.reason;
}

/**
 * The local runtime: PostgreSQL from the system's binaries and every other piece as its own
 * detached Node process, described by `.lab/state.json` so any shell can inspect and stop it.
 */
export class LocalRuntime implements Runtime {
  readonly name = 'local' as const;
  readonly home: string;
  readonly #components: readonly Component[];
  readonly #startDeadlineMs: number;
  readonly #synchronousCommit: SynchronousCommit;
  readonly #fixedPorts: string | undefined;

  constructor(options: LocalRuntimeOptions = {}) {
    this.home = path.resolve(options.home ?? labHome());
    this.#components = options.components ?? componentsFrom(process.env.LAB_COMPONENTS);
    this.#startDeadlineMs = options.startDeadlineMs ?? 90_000;
    this.#synchronousCommit =
      options.synchronousCommit ?? synchronousCommitFrom(process.env.LAB_PG_SYNCHRONOUS_COMMIT);
    this.#fixedPorts = options.fixedPorts ?? process.env.LAB_PORTS;
  }

  get logDir(): string {
    return path.join(this.home, 'logs');
  }

  get dataRoot(): string {
    return path.join(this.home, 'data');
  }

  /**
   * The state of a stack that is up (complete, at least one live process) or still being started
   * by a live `lab up`; else undefined. A stack whose `lab up` died half-way does not count.
   */
  liveState(): StackState | undefined {
    const state = readState(this.home);
    if (!state) return undefined;
    if (!state.complete) return isPidAlive(state.upPid) ? state : undefined;
    return state.processes.some(isAlive) ? state : undefined;
  }

  #assertHomeWritable(): void {
    try {
      mkdirSync(this.logDir, { recursive: true });
      mkdirSync(this.dataRoot, { recursive: true });
      accessSync(this.home, constants.W_OK);
      const probe = path.join(this.home, `.write-test-${process.pid}`);
      writeFileSync(probe, '');
      rmSync(probe);
    } catch (error) {
      throw new LabError(
        'E_HOME_UNWRITABLE',
        `cannot write to the lab home ${this.home} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`,
        {
          exitCode: ExitCode.badInput,
          hint: 'Run lab where you may write (it keeps state in .lab/) or point LAB_HOME at a writable directory.',
          cause: error,
        },
      );
    }
  }

  #cluster(port: number, binDir?: string): PostgresCluster {
    return new PostgresCluster({
      dataDir: path.join(this.dataRoot, 'postgres'),
      port,
      // Without binaries the cluster object still describes the data dir; it only fails if used.
      binDir: binDir ?? locatePostgres()?.binDir ?? '',
      logFile: path.join(this.logDir, 'postgres.log'),
      synchronousCommit: this.#synchronousCommit,
    });
  }

  #context(state: StackState, cluster: PostgresCluster): StackContext {
    const names = new Set(this.#components.map((component) => component.name));
    return {
      home: this.home,
      without: state.without,
      kit: state.kit ?? DEFAULT_KIT,
      clock: stateClock(state),
      dataDir: (name) => ensureDir(path.join(this.dataRoot, name)),
      port: (component, portName) => {
        const ports = state.ports[component];
        const port = ports && (portName ? ports[portName] : Object.values(ports)[0]);
        if (port === undefined) throw new Error(`no port ${portName ?? ''} allocated for ${component}`);
        return port;
      },
      has: (component) => names.has(component),
      postgres: cluster,
      databaseUrl: (service: DatabaseServiceName) => cluster.connectionUrl(service),
    };
  }

  #spec(component: Component, state: StackState, ctx: StackContext): ProcessSpec {
    const launch = component.launch(ctx);
    const ports = state.ports[component.name] ?? {};
    return {
      name: component.name,
      kind: component.kind,
      command: launch.command,
      args: launch.args,
      env: launch.env ?? {},
      cwd: this.home,
      uid: launch.uid,
      gid: launch.gid,
      port: Object.values(ports)[0],
      ports,
      health: component.health(ctx),
      stopSignal: launch.stopSignal,
      stopGraceMs: launch.stopGraceMs,
    };
  }

  #endpoints(ctx: StackContext): Endpoints {
    const endpoints = emptyEndpoints();
    for (const component of this.#components) {
      const contribution =
        component.endpoints?.(ctx) ??
        (component.kind === 'service'
          ? { services: { [component.name]: `http://127.0.0.1:${ctx.port(component.name)}` } }
          : {});
      endpoints.gatewayUrl = contribution.gatewayUrl ?? endpoints.gatewayUrl;
      endpoints.faultProxyUrl = contribution.faultProxyUrl ?? endpoints.faultProxyUrl;
      endpoints.brokerBootstrap = contribution.brokerBootstrap ?? endpoints.brokerBootstrap;
      endpoints.adminToken = contribution.adminToken ?? endpoints.adminToken;
      Object.assign(endpoints.databases, contribution.databases);
      Object.assign(endpoints.services, contribution.services);
    }
    return endpoints;
  }

  async up(options: UpOptions): Promise<Endpoints> {
    this.#assertHomeWritable();
    const release = acquireUpLock(this.home);
    try {
      return await this.#upLocked(options);
    } finally {
      release();
    }
  }

  /**
   * Ports for every declared port name: LAB_PORTS pins (checked free), then this home's ports of
   * the last `lab up` when they are still free (saved curl lines keep working), the rest picked
   * free. Says which previous ports it could not reuse.
   */
  async #allocatePorts(onProgress?: (message: string) => void): Promise<StackState['ports']> {
    const fixed = parseFixedPorts(
      this.#fixedPorts,
      new Map(this.#components.map((component) => [component.name, component.ports])),
    );
    for (const [key, port] of fixed) await assertPortFree(port, key.replace(/\.[^.]*$/, ''));
    const portNames = this.#components.flatMap((component) =>
      component.ports.map((port) => [component.name, port] as const),
    );
    const previous = readPreviousPorts(this.home);
    const chosen = new Map<string, number>(fixed);
    const taken: string[] = [];
    for (const [component, port] of portNames) {
      const key = `${component}.${port}`;
      const before = previous[component]?.[port];
      if (chosen.has(key) || before === undefined || [...chosen.values()].includes(before)) continue;
      if (await bindError(before)) taken.push(`${component} ${before}`);
      else chosen.set(key, before);
    }
    if (taken.length > 0)
      onProgress?.(`could not reuse the previous port of ${taken.join(', ')} (in use): picked new ones`);
    const inUse = new Set(chosen.values());
    const picked = (await allocatePorts(portNames.length + inUse.size)).filter((port) => !inUse.has(port));
    const ports: StackState['ports'] = {};
    for (const [component, port] of portNames) {
      ports[component] ??= {};
      ports[component][port] = chosen.get(`${component}.${port}`) ?? picked.shift()!;
    }
    writePreviousPorts(this.home, ports);
    return ports;
  }

  async #upLocked(options: UpOptions): Promise<Endpoints> {
    const { signal, onProgress } = options;
    const running = this.liveState();
    if (running) {
      onProgress?.('a stack is already running');
      return running.endpoints;
    }
    // Whatever a dead stack or a `lab up` that died half-way left running goes first.
    const leftover = readState(this.home);
    if (leftover) await this.#stopAll(leftover);
    removeState(this.home);
    // Refuse early, before anything starts, when the local runtime cannot work here.
    const binDir = this.#components.some((component) => component.name === 'postgres')
      ? requirePostgres().binDir
      : undefined;
    const orphan = runningPostmaster(path.join(this.dataRoot, 'postgres'));
    if (orphan)
      throw new LabError(
        'E_POSTGRES_RUNNING',
        `a postmaster (pid ${orphan.pid}) not started by this lab's state already runs on ${path.join(this.dataRoot, 'postgres')}.`,
        { exitCode: ExitCode.infrastructure, hint: 'Stop it with `lab down` (it stops such leftovers too).' },
      );

    const ports = await this.#allocatePorts(onProgress);
    const cluster = this.#cluster(ports.postgres?.main ?? (await allocatePorts(1))[0]!, binDir);
    const state: StackState = {
      version: 1,
      runtime: 'local',
      upPid: process.pid,
      complete: false,
      startedAt: new Date().toISOString(),
      without: [...options.without],
      kit: options.kit ?? DEFAULT_KIT,
      clock: clockFor(options.clock).settings(),
      ports,
      processes: [],
      endpoints: emptyEndpoints(),
    };
    writeState(this.home, state);
    const ctx = this.#context(state, cluster);

    const startOne = async (component: Component): Promise<void> => {
      try {
        signal?.throwIfAborted();
        await component.prepare?.(ctx);
        signal?.throwIfAborted();
        // The state file knows the process before it exists (its tag) and its pid as it is spawned.
        const tag = `${process.pid}-${randomBytes(6).toString('hex')}-${component.name}`;
        state.starting = [...(state.starting ?? []), { name: component.name, tag }];
        writeState(this.home, state);
        const record = await startProcess(this.#spec(component, state, ctx), {
          logDir: this.logDir,
          tag,
          onSpawned: (spawned) => {
            state.processes.push(spawned);
            state.starting = state.starting?.filter((pending) => pending.tag !== tag);
            writeState(this.home, state);
          },
        });
        onProgress?.(`${component.name}: started (pid ${record.pid}), waiting until healthy`);
        await waitHealthy(record, { deadlineMs: this.#startDeadlineMs, signal });
        await component.afterHealthy?.(ctx);
        onProgress?.(`${component.name}: healthy`);
      } catch (error) {
        if (signal?.aborted || error instanceof LabError) throw error;
        throw new LabError('E_START_FAILED', `${component.name} did not start: ${(error as Error).message}`, {
          exitCode: ExitCode.infrastructure,
          cause: error,
        });
      }
    };

    try {
      for (const group of inOrder(this.#components)) await allOrFirstError(group.map(startOne));
      signal?.throwIfAborted();
      state.endpoints = this.#endpoints(ctx);
      if (cluster.initialized)
        state.postgres = {
          dataDir: cluster.dataDir,
          binDir: cluster.binDir,
          port: cluster.port,
          synchronousCommit: cluster.synchronousCommit,
          credentials: cluster.credentials(),
        };
      state.complete = true;
      writeState(this.home, state);
      return state.endpoints;
    } catch (error) {
      onProgress?.('stopping what was started');
      await this.#stopAll(state);
      removeState(this.home);
      if (signal?.aborted)
        throw new LabError('E_INTERRUPTED', 'interrupted: stopped everything `lab up` had started.', {
          exitCode: ExitCode.interrupted,
        });
      throw error;
    }
  }

  /**
   * Reverse start order; pieces that started together stop together. Processes recorded only by
   * their spawn tag (a `lab` that died between writing the tag and the pid) are found by it.
   */
  async #stopAll(state: Pick<StackState, 'processes' | 'starting'>): Promise<void> {
    const records: ProcessRecord[] = [...state.processes];
    for (const pending of state.starting ?? [])
      for (const pid of findTagged(pending.tag)) {
        const startTime = procInfo(pid)?.startTime;
        if (startTime !== undefined && !records.some((record) => record.pid === pid))
          records.push({
            name: pending.name,
            kind: 'service',
            command: '',
            args: [],
            env: {},
            cwd: this.home,
            ports: {},
            pid,
            startTime,
            logFile: '',
            startedAt: '',
            stopGraceMs: 5000,
          });
      }
    const order = new Map(this.#components.map((component) => [component.name, component.order]));
    const withOrder = records.map((record) => ({ record, order: order.get(record.name) ?? 0 }));
    for (const group of inOrder(withOrder).reverse())
      await Promise.all(group.map(({ record }) => stopProcess(record)));
  }

  async down(options: { purge: boolean }): Promise<void> {
    const state = readState(this.home);
    if (state && !state.complete && state.upPid !== process.pid && isPidAlive(state.upPid)) {
      // A `lab up` is still starting in another shell: interrupt it; it stops what it started.
      process.kill(state.upPid, 'SIGINT');
      const deadline = Date.now() + 30_000;
      while (isPidAlive(state.upPid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    }
    const latest = readState(this.home);
    if (latest) await this.#stopAll(latest);
    removeState(this.home);
    // A postmaster this state no longer knows about (state deleted, crash mid-up) would hold the data dir.
    const pgData = path.join(this.dataRoot, 'postgres');
    if (runningPostmaster(pgData))
      await new PostgresCluster({ dataDir: pgData, binDir: requirePostgres().binDir }).stop();
    if (options.purge) rmSync(this.dataRoot, { recursive: true, force: true });
  }

  async status(): Promise<StackStatus> {
    const state = readState(this.home);
    if (!state) return { runtime: 'local', running: false, without: [], kit: DEFAULT_KIT, processes: [] };
    const processes = await Promise.all(
      state.processes.map(async (record): Promise<ProcessStatus> => {
        const processStatus = processState(record);
        return {
          name: record.name,
          kind: record.kind,
          state: processStatus,
          healthy: processStatus === 'running' && (!record.health || (await isHealthy(record.health))),
          pid: record.pid,
          port: record.port,
          url: record.health?.type === 'http' ? new URL(record.health.url).origin : undefined,
        };
      }),
    );
    const running = processes.some((process) => process.state !== 'exited');
    return {
      runtime: 'local',
      running,
      without: state.without,
      kit: state.kit ?? DEFAULT_KIT,
      clock: stateClock(state).toJSON(),
      processes,
      endpoints: state.complete ? state.endpoints : undefined,
    };
  }

  async endpoints(): Promise<Endpoints> {
    const state = this.liveState();
    if (!state?.complete) throw notRunningError();
    return state.endpoints;
  }

  /** Names `lab logs`/`kill`/... accept: the stack's pieces and whatever the running state holds. */
  knownNames(state?: StackState): string[] {
    return [
      ...new Set([...this.#components.map((c) => c.name), ...(state?.processes.map((p) => p.name) ?? [])]),
    ];
  }

  #unknownName(target: string, names: string[]): LabError {
    return new LabError('E_UNKNOWN_NAME', `'${target}' is not a piece of this stack.`, {
      exitCode: ExitCode.badInput,
      hint: `The closest is '${closest(target, names)}'. Known: ${names.join(', ')}.`,
    });
  }

  async logs(target: string | undefined, options: LogsOptions): Promise<void> {
    const names = this.knownNames(readState(this.home));
    if (target !== undefined && !names.includes(target)) throw this.#unknownName(target, names);
    let files: string[] = [];
    try {
      files = readdirSync(this.logDir).filter((file) => file.endsWith('.log'));
    } catch {
      // No logs yet.
    }
    const selected = files
      .map((file) => ({ name: file.slice(0, -'.log'.length), file: path.join(this.logDir, file) }))
      .filter((log) => target === undefined || log.name === target);
    if (selected.length === 0)
      throw new LabError('E_NO_LOGS', `no logs${target ? ` for ${target}` : ''} in ${this.logDir} yet.`, {
        exitCode: ExitCode.badInput,
        hint: 'Logs appear once `lab up` has started the stack.',
      });
    await followLogs(selected, { ...options, prefix: target === undefined });
  }

  /** The live record of `target`; E_NOT_RUNNING without a stack, E_UNKNOWN_NAME (closest name) for a typo. */
  #target(target: string): { state: StackState; record: ProcessRecord } {
    // Any recorded stack, even one whose every process was killed: `lab restart` brings pieces back.
    const state = readState(this.home);
    if (!state) throw notRunningError();
    const record = state.processes.find((candidate) => candidate.name === target);
    if (!record) throw this.#unknownName(target, this.knownNames(state));
    return { state, record };
  }

  async kill(target: string): Promise<void> {
    await killProcess(this.#target(target).record);
  }

  async stop(target: string): Promise<void> {
    await stopProcess(this.#target(target).record);
  }

  async pause(target: string): Promise<void> {
    await pauseProcess(this.#target(target).record);
  }

  async resume(target: string): Promise<void> {
    await resumeProcess(this.#target(target).record);
  }

  /** Stop (or clean up after a kill), start again with the same command, env and ports, wait until healthy. */
  async restart(target: string): Promise<void> {
    const { state, record } = this.#target(target);
    await stopProcess(record);
    // The piece may be outside this shell's LAB_COMPONENTS: its cleanup (postgres!) still runs.
    const component = [...this.#components, ...STACK].find((candidate) => candidate.name === target);
    const cluster = this.#cluster(
      state.postgres?.port ?? state.ports.postgres?.main ?? 0,
      state.postgres?.binDir,
    );
    await component?.prepare?.(this.#context(state, cluster));
    const fresh = await startProcess(specOf(record), {
      logDir: this.logDir,
      onSpawned: (spawned) => {
        // Re-read: another shell may have restarted another piece meanwhile.
        const latest = readState(this.home) ?? state;
        latest.processes = latest.processes.map((candidate) =>
          candidate.name === target ? spawned : candidate,
        );
        writeState(this.home, latest);
      },
    });
    await waitHealthy(fresh, { deadlineMs: this.#startDeadlineMs });
  }
}
