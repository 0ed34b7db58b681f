/**
 * The chaos engine: one scenario, start to verdict.
 *
 *   stack → setup → workload + fault timeline → heal (always) → settle → checks → report
 *
 * Heal runs in a `finally`: whatever happens after the first fault could have started (an error,
 * Ctrl-C through `signal`), toxics are removed, links enabled, hooks reset, paused processes
 * resumed and killed ones restarted before the engine returns or throws.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { type ClockJSON, describeClock } from '../../common/clock.ts';
import { ExitCode, infrastructureFailure, LabError } from '../../common/errors.ts';
import { DATABASE_SERVICES, type DatabaseServiceName, type Kit } from '../../common/roster.ts';
import { spansFileEnd } from '../../infra/otel-collector/receiver.ts';
import { labHome } from '../home.ts';
import { writeReport } from '../report/write.ts';
import { interruptionOf } from '../runtime/lifecycle.ts';
import type { Endpoints } from '../runtime/types.ts';
import { captureSnapshot } from './capture.ts';
import { runChecks, unknownChecks } from './checks/index.ts';
import { countOutcomes } from './checks/outcomes.ts';
import type { CheckResult, InjectedPoison, Queryable, RunScope } from './checks/types.ts';
import { resetHooks } from './faults/hooks.ts';
import { ensureRunning } from './faults/process.ts';
import { createProxyClient, type ProxyClient } from './faults/proxy.ts';
import type { FaultContext } from './faults/types.ts';
import { createHistory, type OperationEntry } from './history.ts';
import { junitXml, type TimedCheckResult } from './junit.ts';
import { stackClock, waitForLabTime } from './lab-time.ts';
import type { LoadedScenario } from './loader.ts';
import { eventsInFlight, liveConsumerGroups } from './quiescence.ts';
import { createRandom } from './random.ts';
import { brokenProbes, judgeRun, type RunResult, type SteadyStateResult } from './result.ts';
import { collectLogs, collectSpans, spansFile, writeRunData } from './rundir.ts';
import { fixSchedule } from './schedule.ts';
import type { CheckSpec, Scenario } from './schema.ts';
import { settle } from './settle.ts';
import { runSetup } from './setup.ts';
import type { StackManager } from './stack.ts';
import { type ActiveFaultView, Timeline } from './timeline.ts';
import { planWorkload, runWorkload } from './workload.ts';

export const PHASES = ['stack', 'setup', 'workload', 'heal', 'settle', 'checks', 'report', 'done'] as const;
export type Phase = (typeof PHASES)[number];

export type EngineEvent =
  | { type: 'start'; scenario: Scenario; seed: number; runDir: string; id: string }
  | { type: 'phase'; phase: Phase }
  | { type: 'operation'; entry: OperationEntry }
  | { type: 'faults'; active: ActiveFaultView[] }
  | { type: 'log'; message: string }
  | { type: 'checks'; results: CheckResult[] };

export interface RunScenarioOptions {
  loaded: LoadedScenario;
  /** --seed: overrides the file's seed. */
  seed?: number;
  /** --kit: overrides the file's `stack.kit`. */
  kit?: Kit;
  stack: StackManager;
  /** --out: the run directory; default `.lab/runs/<id>`. */
  outDir?: string;
  /** Aborted on Ctrl-C: the engine stops the workload, heals and returns an interrupted result. */
  signal: AbortSignal;
  onEvent?(event: EngineEvent): void;
}

function runId(name: string, seed: number): string {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${name}-s${seed}-${randomBytes(2).toString('hex')}`;
}

function openPools(endpoints: Endpoints): Record<DatabaseServiceName, pg.Pool> {
  return Object.fromEntries(
    DATABASE_SERVICES.map((service) => {
      const pool = new pg.Pool({
        connectionString: endpoints.databases[service],
        max: 2,
        connectionTimeoutMillis: 5000,
      });
      pool.on('error', () => {});
      return [service, pool];
    }),
  ) as Record<DatabaseServiceName, pg.Pool>;
}

export async function runScenario(options: RunScenarioOptions): Promise<RunResult> {
  const { signal } = options;
  const seed = options.seed ?? options.loaded.scenario.seed;
  // Random fault schedules become fixed entries first: the run and its replay file see the same.
  const { loaded, decisions: scheduled } = fixSchedule(options.loaded, seed);
  const scenario = loaded.scenario;
  const kit = options.kit ?? scenario.stack.kit;
  const id = runId(scenario.name, seed);
  const runDir = path.resolve(options.outDir ?? path.join(labHome(), 'runs', id));
  mkdirSync(runDir, { recursive: true });
  writeFileSync(path.join(runDir, 'scenario.yaml'), loaded.source);
  writeFileSync(path.join(runDir, 'seed'), `${seed}\n`);

  const emit = (event: EngineEvent) => options.onEvent?.(event);
  const runLog = createWriteStream(path.join(runDir, 'run.log'));
  const startedWall = Date.now();
  const spansFrom = spansFileEnd(spansFile());
  const log = (message: string) => {
    runLog.write(`${new Date().toISOString()} ${message}\n`);
    emit({ type: 'log', message });
  };
  const history = createHistory(path.join(runDir, 'history.jsonl'));
  const decisions = createWriteStream(path.join(runDir, 'decisions.jsonl'));
  const poisonsInjected: InjectedPoison[] = [];
  const decide = (decision: Record<string, unknown>) => {
    decisions.write(`${JSON.stringify(decision)}\n`);
    // What dlq_accounted holds the dead letters against: every poison message the run sent.
    if (decision.kind === 'poison' && typeof decision.key === 'string')
      poisonsInjected.push({
        topic: String(decision.topic),
        key: decision.key,
        poison: String(decision.poison),
      });
  };
  for (const decision of scheduled) decide(decision);
  const phase = (name: Phase) => {
    history.append({ type: 'phase', phase: name, time: history.now() });
    log(`phase ${name}`);
    emit({ type: 'phase', phase: name });
  };
  emit({ type: 'start', scenario, seed, runDir, id });
  runLog.write(
    `${new Date().toISOString()} run ${id}: scenario ${scenario.name}, seed ${seed} (replay with --seed ${seed})\n`,
  );

  const random = createRandom(seed);
  const plan = planWorkload(scenario, random.fork('workload'));
  for (const planned of plan) decide({ source: 'workload', ...planned });

  const base = {
    id,
    scenario: scenario.name,
    description: scenario.description,
    file: loaded.file,
    seed,
    runtime: options.stack.runtime.name,
    without: [...scenario.stack.without],
    kit,
    startedAt: new Date(startedWall).toISOString(),
    runDir,
    expected: scenario.expect.verdict,
    clock: undefined as ClockJSON | undefined,
  };
  let pools: Record<DatabaseServiceName, pg.Pool> | undefined;
  let timeline: Timeline | undefined;
  let endpoints: Endpoints | undefined;
  let result: RunResult;
  let steadyBefore: CheckResult[] = [];

  const finish = async (partial: Omit<RunResult, keyof typeof base | 'durationMs'>): Promise<RunResult> => {
    const full: RunResult = { ...base, ...partial, durationMs: Date.now() - startedWall };
    writeFileSync(path.join(runDir, 'result.json'), `${JSON.stringify(full, null, 2)}\n`);
    writeFileSync(path.join(runDir, 'junit.xml'), junitXml([full], scenario.name));
    return full;
  };

  try {
    phase('stack');
    endpoints = await options.stack.ensure(scenario.stack.without, kit, signal, scenario.stack.clock);
    const runtime = options.stack.runtime;
    const clock = await stackClock(runtime);
    base.clock = clock.toJSON();
    log(`${describeClock(clock)}`);
    const token = endpoints.adminToken;
    pools = openPools(endpoints);
    const databases = pools as Record<DatabaseServiceName, Queryable>;

    phase('setup');
    const setup = await runSetup({
      scenario,
      gatewayUrl: endpoints.gatewayUrl,
      adminToken: token,
      runTag: id.slice(-4) + seed.toString(36),
      startedAt: new Date(startedWall - 1000),
      signal,
      log,
    });

    if (scenario.steadyState.before.length > 0) {
      steadyBefore = await probeSteadyState(scenario.steadyState.before, databases, {
        ...setup.scope,
        duplicatesInjected: false,
        poisonsInjected: [],
        clock: clock.toJSON(),
      });
      log(`steady state before: ${steadyBefore.map((probe) => `${probe.name} ${probe.verdict}`).join(', ')}`);
      if (steadyBefore.some((probe) => probe.verdict !== 'valid'))
        throw infrastructureFailure(
          'E_NOT_STEADY',
          `the stack was not in its steady state before any fault, so the run tested nothing: ${brokenProbes(steadyBefore)}`,
        );
    }

    const proxy = createProxyClient(endpoints.faultProxyUrl);
    let kafka: Kafka | undefined;
    const fixedEndpoints = endpoints;
    const contextFor = (index: number, fault: Scenario['faults'][number]): FaultContext => ({
      runtime,
      endpoints: fixedEndpoints,
      adminToken: token,
      proxy,
      kafka: () => {
        kafka ??= new Kafka({
          clientId: 'lab-chaos',
          brokers: [fixedEndpoints.brokerBootstrap],
          logLevel: logLevel.NOTHING,
        });
        return kafka;
      },
      random: random.fork(`fault:${index}:${fault.kind}`),
      decide,
      log,
      signal,
      index,
    });
    timeline = new Timeline({
      faults: scenario.faults,
      contextFor,
      history,
      log,
      onChange: (active) => emit({ type: 'faults', active }),
    });
    const outcomes = { ok: 0, fail: 0, info: 0 };
    // Taken before any fault: the groups that must be back and caught up before the settle phase
    // may call the sagas stuck. Without them (a broker that did not answer), it never does.
    const consumingGroups = await withBrokerAdmin(fixedEndpoints.brokerBootstrap, liveConsumerGroups).catch(
      () => undefined,
    );
    try {
      const from = scenario.stack.clock?.from;
      if (from !== undefined) await waitForLabTime(clock, from, { signal, log });
      signal.throwIfAborted();
      phase('workload');
      timeline.start();
      await runWorkload({
        plan,
        customers: setup.customers,
        skus: setup.skus,
        gatewayUrl: endpoints.gatewayUrl,
        ratePerSecond: scenario.workload.rate,
        concurrency: scenario.workload.concurrency,
        timeoutMs: scenario.workload.timeout,
        history,
        signal,
        onOperation: (entry) => {
          outcomes[entry.outcome]++;
          emit({ type: 'operation', entry });
        },
      });
      if (!signal.aborted) await Promise.race([timeline.settled(), aborted(signal)]);
      const until = scenario.stack.clock?.until;
      if (until !== undefined && !signal.aborted) {
        await waitForLabTime(clock, until, { signal, log });
      }
    } finally {
      phase('heal');
      await heal(timeline, { runtime, endpoints, token, proxy, log });
    }
    signal.throwIfAborted();

    const scope: RunScope = {
      ...setup.scope,
      duplicatesInjected: timeline.injectedDuplicates,
      poisonsInjected,
      clock: clock.toJSON(),
    };
    // A container started again (db_crash, kill, restart on docker) may publish its port anew:
    // the engine's own connections follow it, as the services' do through the stack's network.
    const healedEndpoints = await runtime.endpoints().catch(() => endpoints!);
    if (JSON.stringify(healedEndpoints.databases) !== JSON.stringify(endpoints.databases)) {
      log('the databases are published on new ports after the faults: reconnecting');
      await Promise.allSettled(Object.values(pools).map((pool) => pool.end()));
      pools = openPools(healedEndpoints);
      endpoints = healedEndpoints;
    }
    const context = {
      databases: pools as Record<DatabaseServiceName, Queryable>,
      scope,
      operations: history.operations(),
    };
    phase('settle');
    // Connected only if the checks fail for a while: then it asks whether anything is still in flight.
    let settleAdmin: Admin | undefined;
    const brokerBootstrap = endpoints.brokerBootstrap;
    const nothingInFlight = async (live: string[]) => {
      if (!settleAdmin) {
        const admin = brokerAdmin(brokerBootstrap);
        await admin.connect();
        settleAdmin = admin;
      }
      return (await eventsInFlight(settleAdmin, live)).quiet;
    };
    const settled = await settle(context, {
      maxMs: scenario.settle,
      signal,
      // A check that needs the read side caught up, as an expectation or an after-probe.
      waitFor: [...scenario.expect.checks, ...scenario.steadyState.after].filter(
        (spec) => spec.name === 'read_model_converges',
      ),
      nothingInFlight: consumingGroups && (() => nothingInFlight(consumingGroups)),
    }).finally(() => settleAdmin?.disconnect().catch(() => {}));
    const waited = `${(settled.waitedMs / 1000).toFixed(1)}s`;
    log(
      settled.stuck
        ? `nothing left in flight after ${waited} (outboxes empty, every consumer at the end of its topics): settled with ${settled.stuck.join(', ')} still failing`
        : settled.settledEarly
          ? `settled after ${waited}`
          : `settle time (${scenario.settle / 1000}s) used up`,
    );

    phase('checks');
    // One capture, kept in the run directory, is all the checks read: `lab check` recomputes them
    // from the same rows after the stack is gone.
    // A database that cannot be read makes every check unknown, never a crash.
    const snapshot = await captureSnapshot(context.databases, scope).catch((error: Error) => error);
    if (!(snapshot instanceof Error)) writeRunData(runDir, snapshot);
    // Each check timed on its own: JUnit gives each testcase its time.
    const checks: TimedCheckResult[] =
      snapshot instanceof Error
        ? unknownChecks(scenario.expect.checks, `the databases could not be read: ${snapshot.message}`)
        : scenario.expect.checks.flatMap((spec) => {
            const checkStarted = performance.now();
            return runChecks([spec], { snapshot, operations: context.operations }).map((check) => ({
              ...check,
              durationMs: Math.round(performance.now() - checkStarted),
            }));
          });
    const steadyAfter =
      snapshot instanceof Error
        ? unknownChecks(scenario.steadyState.after, `the databases could not be read: ${snapshot.message}`)
        : runChecks(scenario.steadyState.after, { snapshot, operations: context.operations });
    emit({ type: 'checks', results: checks });
    for (const check of checks) log(`check ${check.name}: ${check.verdict} (${check.summary})`);
    for (const probe of steadyAfter)
      log(`steady state after: ${probe.name} ${probe.verdict} (${probe.summary})`);
    const { confirmed, cancelled, pending } =
      snapshot instanceof Error ? {} : countOutcomes(snapshot, context.operations);
    // A process that died after the heal phase is a finding, not something to hide by restarting it.
    const processesDown = await notRunning(runtime);
    if (processesDown.length > 0)
      log(`after the run these were not running (they died on their own): ${processesDown.join(', ')}`);
    const verdict = judgeRun(checks, steadyAfter, scenario.expect, timeline.log);
    phase('report');
    result = await finish({
      ...verdict,
      checks,
      ...steadyStateOf(scenario, steadyBefore, steadyAfter),
      counts: {
        operations: plan.length,
        confirmed,
        cancelled,
        pending,
        failed: outcomes.fail,
        unknown: outcomes.info,
      },
      faults: timeline.log,
      ...(processesDown.length > 0 ? { processesDown } : {}),
    });
  } catch (error) {
    const interrupted = signal.aborted;
    const message = interrupted
      ? `${interruptionOf(signal)?.message ?? 'interrupted'}: faults healed, no verdict`
      : (error as Error).message;
    log(`run stopped: ${message}`);
    result = await finish({
      verdict: 'unknown',
      expectationMet: false,
      explanation: message,
      exitCode: interrupted
        ? (interruptionOf(signal)?.exitCode ?? ExitCode.interrupted)
        : error instanceof LabError
          ? error.exitCode
          : ExitCode.infrastructure,
      checks: [],
      ...steadyStateOf(scenario, steadyBefore, []),
      counts: { operations: history.operations().length },
      faults: timeline?.log ?? [],
      error: message,
    });
  } finally {
    await Promise.allSettled(Object.values(pools ?? {}).map((pool) => pool.end()));
    await history.close();
    await new Promise((resolve) => decisions.end(resolve));
    if (endpoints)
      await collectLogs(options.stack.runtime, path.join(runDir, 'logs'), { sinceMs: startedWall }).catch(
        () => {},
      );
    try {
      collectSpans(runDir, { sinceMs: startedWall, untilMs: Date.now(), fromByte: spansFrom });
    } catch (error) {
      log(`could not keep the run's spans: ${(error as Error).message}`);
    }
  }
  try {
    const written = writeReport(runDir);
    log(`report: ${written.file} (${(written.bytes / 1024).toFixed(0)} kB in ${written.ms} ms)`);
  } catch (error) {
    log(`could not write the report: ${(error as Error).message}`);
  }
  phase('done');
  await new Promise((resolve) => runLog.end(resolve));
  return result;
}

/** The probes on the rows as they are now: nothing of the run has happened yet. */
async function probeSteadyState(
  specs: CheckSpec[],
  databases: Record<DatabaseServiceName, Queryable>,
  scope: RunScope,
): Promise<CheckResult[]> {
  const snapshot = await captureSnapshot(databases, scope).catch((error: Error) => error);
  return snapshot instanceof Error
    ? unknownChecks(specs, `the databases could not be read: ${snapshot.message}`)
    : runChecks(specs, { snapshot, operations: [] });
}

function steadyStateOf(
  scenario: Scenario,
  before: CheckResult[],
  after: CheckResult[],
): { steadyState?: SteadyStateResult } {
  const { steadyState } = scenario;
  return steadyState.before.length + steadyState.after.length > 0 ? { steadyState: { before, after } } : {};
}

function aborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/**
 * Heals every fault the timeline started, then a safety net that does not rely on the timeline's
 * bookkeeping: reset the proxy (every toxic removed, every link enabled), turn every hook off, and
 * bring every stack process back to running.
 */
async function heal(
  timeline: Timeline,
  options: {
    runtime: StackManager['runtime'];
    endpoints: Endpoints;
    token: string;
    proxy: ProxyClient;
    log(message: string): void;
  },
): Promise<void> {
  await timeline.healAll();
  const problems: string[] = [];
  if (options.endpoints.faultProxyUrl)
    await options.proxy.reset().catch((error: Error) => problems.push(`proxy reset: ${error.message}`));
  await Promise.all(
    [...DATABASE_SERVICES, 'gateway' as const].map((service) =>
      resetHooks(options.endpoints, options.token, service).catch(() => {
        // A service that is down has no hooks armed; ensureRunning below brings it back.
      }),
    ),
  );
  const status = await options.runtime.status().catch(() => undefined);
  for (const process of status?.processes ?? []) {
    if (process.state === 'running') continue;
    await ensureRunning(options.runtime, process.name).catch((error: Error) =>
      problems.push(`${process.name}: ${error.message}`),
    );
  }
  if (problems.length > 0) options.log(`heal problems: ${problems.join('; ')}`);
}

async function notRunning(runtime: StackManager['runtime']): Promise<string[]> {
  const status = await runtime.status().catch(() => undefined);
  return (status?.processes ?? [])
    .filter((process) => process.state !== 'running')
    .map((process) => `${process.name} (${process.state})`);
}

/**
 * The admin of the quiescence probe. It answers a question the run can do without, so a broker
 * that does not answer fails it within seconds instead of holding up the run with kafkajs'
 * default retries (the probe then counts as "something may still move").
 */
function brokerAdmin(bootstrap: string): Admin {
  return new Kafka({
    clientId: 'lab-chaos-admin',
    brokers: [bootstrap],
    logLevel: logLevel.NOTHING,
    requestTimeout: 3000,
    retry: { retries: 1, initialRetryTime: 100 },
  }).admin();
}

async function withBrokerAdmin<T>(bootstrap: string, use: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = brokerAdmin(bootstrap);
  await admin.connect();
  try {
    return await use(admin);
  } finally {
    await admin.disconnect().catch(() => {});
  }
}
