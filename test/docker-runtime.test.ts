/**
 * The docker runtime end to end, on a real engine (`npm run test:docker`, after
 * scripts/docker/ci-setup.sh): `lab up --runtime docker` with compose/standins.yml and the locally
 * built images, status, logs (-f streams), process faults, a real network partition, scenario
 * runs (order-saga, db-crash: the postgres container killed and started again, bakery-day: a lab
 * day at a fast clock in the containers), `lab down --purge`
 * leaving nothing of the project, and a `lab up` killed mid-start.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Docker from 'dockerode';
import { execa, type ResultPromise } from 'execa';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT_LABEL } from '../cli/runtime/docker/containers.ts';
import { DockerRuntime } from '../cli/runtime/docker/index.ts';
import { readDockerState } from '../cli/runtime/docker/state.ts';
import { isPidAlive } from '../cli/runtime/pids.ts';
import { INFRA, SERVICES } from '../common/roster.ts';
import { PARTITION_SCENARIO } from './docker-partition-scenario.ts';

const REPO = path.resolve(import.meta.dirname, '..');
const PROJECT = 'labtest';
const home = mkdtempSync(path.join(tmpdir(), 'lab-docker-'));
const env: NodeJS.ProcessEnv = {
  ...process.env,
  LAB_HOME: home,
  LAB_COMPOSE_PROJECT: PROJECT,
  LAB_DOCKER_STANDINS: '1',
  LAB_NODE_IMAGE: process.env.LAB_NODE_IMAGE || 'lab-base-node:24',
  LAB_POSTGRES_IMAGE: process.env.LAB_POSTGRES_IMAGE || 'lab-postgres:15',
};
const docker = new Docker();
const runtime = new DockerRuntime({ home, env });

function lab(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  return execa(process.execPath, [path.join(REPO, 'bin/lab'), ...args], {
    cwd: REPO,
    env: { ...env, ...extraEnv },
    reject: false,
    all: true,
  });
}

async function leftovers(): Promise<{ containers: number; networks: number; volumes: number }> {
  const filters = { label: [`${PROJECT_LABEL}=${PROJECT}`] };
  const containers = await docker.listContainers({ all: true, filters });
  const networks = await docker.listNetworks({ filters });
  const volumes = (await docker.listVolumes({ filters })).Volumes ?? [];
  return { containers: containers.length, networks: networks.length, volumes: volumes.length };
}

async function until<T>(what: string, probe: () => Promise<T | undefined | false>, ms = 120_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function stateOf(name: string) {
  return (await runtime.status()).processes.find((process) => process.name === name);
}

/** The service's own /health, asked from inside its container (works while it is partitioned). */
async function healthInside(service: string): Promise<number> {
  const process = await stateOf(service);
  const script =
    "fetch('http://127.0.0.1:8080/health').then((r) => console.log(r.status), () => console.log(0))";
  const result = await execa('docker', ['exec', process?.containerId ?? '', 'node', '-e', script], {
    reject: false,
  });
  return Number(result.stdout.trim());
}

beforeAll(async () => {
  await docker.ping();
  for (const image of [env.LAB_NODE_IMAGE, env.LAB_POSTGRES_IMAGE] as string[])
    await docker
      .getImage(image)
      .inspect()
      .catch(() => {
        throw new Error(
          `image ${image} is missing: run scripts/docker/build-images.sh (or scripts/docker/ci-setup.sh)`,
        );
      });
  // A previous run that died half-way must not leak into this one.
  await runtime.down({ purge: true });
});

afterAll(async () => {
  await runtime.down({ purge: true }).catch(() => undefined);
  rmSync(home, { recursive: true, force: true });
});

describe('docker runtime', () => {
  it('lab up --runtime docker brings every piece to healthy and prints working endpoints', async () => {
    const started = Date.now();
    const up = await lab(['up', '--runtime', 'docker']);
    const seconds = (Date.now() - started) / 1000;
    expect(up.exitCode, up.all).toBe(0);
    console.log(`lab up --runtime docker: healthy after ${seconds.toFixed(1)} s (build included)`);
    expect(up.all).toContain('gateway: healthy');

    const status = await runtime.status();
    expect(status.runtime).toBe('docker');
    expect(status.processes.map((process) => process.name).sort()).toEqual([...INFRA, ...SERVICES].sort());
    for (const process of status.processes)
      expect(process, process.name).toMatchObject({ state: 'running', healthy: true });

    const endpoints = await runtime.endpoints();
    const products = await fetch(`${endpoints.gatewayUrl}/api/catalog/products`);
    expect(products.status).toBe(200);
    const client = new pg.Client({ connectionString: endpoints.databases.order });
    await client.connect();
    const { rows } = await client.query<{ user: string }>('SELECT current_user AS user');
    await client.end();
    expect(rows[0]?.user).toBe('order');
    const [host, port] = endpoints.brokerBootstrap.split(':');
    await new Promise<void>((resolve, reject) =>
      connect(Number(port), host)
        .once('connect', function (this: import('node:net').Socket) {
          this.destroy();
          resolve();
        })
        .once('error', reject),
    );
    const cliStatus = await lab(['status', '--json']);
    expect(JSON.parse(cliStatus.stdout)).toMatchObject({ runtime: 'docker', running: true });
  });

  it('lab logs prints a service log; lab logs -f streams new lines until interrupted', async () => {
    const once = await lab(['logs', 'catalog']);
    expect(once.exitCode, once.all).toBe(0);
    const listening = (text: string) =>
      text.split('\n').filter((line) => line.includes('"msg":"listening"')).length;
    expect(listening(once.stdout)).toBe(1);

    const follow: ResultPromise = execa(
      process.execPath,
      [path.join(REPO, 'bin/lab'), 'logs', '-f', 'catalog'],
      {
        cwd: REPO,
        env,
        reject: false,
        all: true,
      },
    );
    let seen = '';
    follow.all?.on('data', (chunk: Buffer) => {
      seen += chunk.toString();
    });
    await until('the first lines', async () => listening(seen) === 1);
    await runtime.restart('catalog');
    await until('the restarted catalog to log again through -f', async () => listening(seen) === 2);
    follow.kill('SIGINT');
    const result = await follow;
    expect([0, 130]).toContain(result.exitCode);
  });

  it('kill, stop, restart, pause and resume act on the containers', async () => {
    expect((await lab(['kill', 'inventory'])).exitCode).toBe(0);
    expect((await stateOf('inventory'))?.state).toBe('exited');
    expect((await lab(['restart', 'inventory'])).exitCode).toBe(0);
    expect(await stateOf('inventory')).toMatchObject({ state: 'running', healthy: true });

    // stop is docker stop: SIGTERM first, so the service shuts down cleanly and says so.
    await runtime.stop('shipping');
    expect((await stateOf('shipping'))?.state).toBe('exited');
    expect((await lab(['logs', 'shipping'])).stdout).toContain('"msg":"stopped"');
    expect((await lab(['restart', 'shipping'])).exitCode).toBe(0);
    expect(await stateOf('shipping')).toMatchObject({ state: 'running', healthy: true });

    expect((await lab(['pause', 'payment'])).exitCode).toBe(0);
    expect((await stateOf('payment'))?.state).toBe('paused');
    expect((await lab(['resume', 'payment'])).exitCode).toBe(0);
    expect((await stateOf('payment'))?.state).toBe('running');

    const unknown = await lab(['kill', 'paymnet']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.all).toContain("'payment'");
  });

  it('partition disconnects a container from the network (its database and broker go away) and heals', async () => {
    expect(await healthInside('payment')).toBe(200);
    const heal = await runtime.partition('payment');
    try {
      expect(await runtime.isPartitioned('payment')).toBe(true);
      // Running, but nothing reaches it and it reaches nothing: its database check fails.
      expect((await stateOf('payment'))?.state).toBe('running');
      await until(
        'payment to report its dependencies gone',
        async () => (await healthInside('payment')) === 503,
        60_000,
      );
    } finally {
      await heal();
      await heal(); // safe twice
    }
    expect(await runtime.isPartitioned('payment')).toBe(false);
    await until('payment healthy again', async () => (await healthInside('payment')) === 200, 120_000);
    // Reconnected under its service name: the gateway reaches it through its link again.
    const endpoints = await runtime.endpoints();
    const health = await until('payment published port', async () => {
      const response = await fetch(`${endpoints.services.payment}/health`);
      return response.status === 200 ? response.status : undefined;
    });
    expect(health).toBe(200);
  });

  it('lab chaos order-saga --runtime docker reaches a valid verdict', async () => {
    const run = await lab(['chaos', 'order-saga', '--runtime', 'docker', '--out', path.join(home, 'chaos')]);
    expect(run.exitCode, run.all?.slice(-4000)).toBe(0);
  });

  interface ChaosResult {
    verdict: string;
    faults: Array<{ kind: string; target: string; healedMs?: number; error?: string }>;
    checks: Array<{ name: string; verdict: string; summary: string }>;
  }

  /** `lab chaos <scenario> --runtime docker --json`, which must exit 0 with a valid verdict. */
  async function validDockerRun(scenario: string): Promise<ChaosResult> {
    const out = path.join(home, scenario);
    const run = await lab(['chaos', scenario, '--runtime', 'docker', '--out', out, '--json']);
    expect(run.exitCode, run.all?.slice(-4000)).toBe(0);
    const result = JSON.parse(run.stdout) as ChaosResult;
    expect(result.verdict).toBe('valid');
    return result;
  }

  function expectValid(result: ChaosResult, names: string[]): void {
    expect(result.checks).toEqual(
      expect.arrayContaining(names.map((name) => expect.objectContaining({ name, verdict: 'valid' }))),
    );
  }

  it('lab chaos db-crash --runtime docker: the postgres container SIGKILLed and started again, nothing lost', async () => {
    const result = await validDockerRun('db-crash');
    expect(result.faults).toEqual([expect.objectContaining({ kind: 'db_crash', target: 'postgres' })]);
    expect(result.faults[0]?.error).toBeUndefined();
    expect(result.faults[0]?.healedMs).toBeGreaterThan(0);
    // Valid, not unknown: the rows were read after the restart, which (with a dynamic host port)
    // published postgres on another port.
    expectValid(result, ['acknowledged_orders_durable', 'sagas_terminal']);
  });

  it('lab chaos bakery-day --runtime docker: a lab day at 720x in the containers, every check valid', async () => {
    const result = await validDockerRun('bakery-day');
    // The containers ran the scenario's clock: the oven baked and the sweep and the closing took units.
    const stock = result.checks.find((check) => check.name === 'stock_conserved');
    expect(stock?.summary).toMatch(/[1-9]\d* produced, [1-9]\d* expired/);
    expectValid(result, ['no_stale_sold', 'discount_consistent']);
  });

  it('a scenario with a partition fault runs on the docker runtime to a valid verdict', async () => {
    const file = path.join(home, 'payment-partition.yaml');
    writeFileSync(file, PARTITION_SCENARIO);
    const run = await lab(['chaos', file, '--runtime', 'docker', '--out', path.join(home, 'chaos')]);
    expect(run.exitCode, run.all?.slice(-4000)).toBe(0);
    expect(run.all).toContain('partitioned payment');
    expect(await runtime.isPartitioned('payment')).toBe(false);
  });

  it('lab down --purge removes every container, network and volume of the project', async () => {
    const down = await lab(['down', '--purge']);
    expect(down.exitCode, down.all).toBe(0);
    expect(await leftovers()).toEqual({ containers: 0, networks: 0, volumes: 0 });
    expect(readDockerState(home)).toBeUndefined();
  });

  it('a lab up killed mid-start leaves nothing running after lab down', async () => {
    const up = lab(['up', '--runtime', 'docker'], { LAB_DOCKER_BUILD: 'never' });
    await until('the first containers', async () => (await leftovers()).containers > 0, 180_000);
    const composePid = readDockerState(home)?.composePid;
    up.kill('SIGKILL');
    await up;
    const down = await lab(['down']);
    expect(down.exitCode, down.all).toBe(0);
    // Give a compose process that outlived `lab up` no chance to create more.
    if (composePid !== undefined) expect(isPidAlive(composePid)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect((await leftovers()).containers).toBe(0);
    expect((await leftovers()).networks).toBe(0);
    expect((await runtime.status()).running).toBe(false);
    await runtime.down({ purge: true });
  });
});
