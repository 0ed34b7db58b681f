import {
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDoctor } from '../cli/doctor/probes.ts';
import { procInfo } from '../cli/runtime/local/proc.ts';

const LAB = new URL('../bin/lab', import.meta.url).pathname;

function labIn(home: string, extraEnv: Record<string, string> = {}) {
  return (...args: string[]) =>
    execa(process.execPath, [LAB, ...args], {
      reject: false,
      // The foundation's own piece only: the shop's pieces have their own end-to-end tests.
      env: { LAB_HOME: home, CI: 'true', LAB_COMPONENTS: 'postgres', ...extraEnv },
      timeout: 180_000,
    });
}

function cwdOf(pid: number): string | undefined {
  try {
    return readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return undefined;
  }
}

function isLive(pid: number): boolean {
  const state = procInfo(pid)?.state;
  return state !== undefined && state !== 'Z' && state !== 'X';
}

/** The live children of `parent` (the postmaster's checkpointer, walwriter, backends...). */
function childrenOf(parent: number): number[] {
  return readdirSync('/proc')
    .map(Number)
    .filter((pid) => Number.isInteger(pid) && isLive(pid) && procInfo(pid)?.ppid === parent);
}

/** Every live process of the stack: each piece's process and its children. */
function stackPids(home: string): number[] {
  const state = JSON.parse(readFileSync(path.join(home, 'state.json'), 'utf8')) as {
    processes: Array<{ pid: number }>;
  };
  return state.processes.flatMap((p) => [p.pid, ...childrenOf(p.pid)]).filter(isLive);
}

/** `lab up` (postgres only) running in the background, once it said it started the postmaster (pid; NaN if it never did). */
async function upUntilPostgresStarted(home: string) {
  const up = execa(process.execPath, [LAB, 'up', '--runtime', 'local'], {
    reject: false,
    env: { LAB_HOME: home, CI: 'true', LAB_COMPONENTS: 'postgres' },
  });
  let stderr = '';
  up.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const started = /postgres: started \(pid (\d+)\)/;
  const deadline = Date.now() + 60_000;
  while (!started.test(stderr) && Date.now() < deadline) await sleep(10);
  return { up, postmaster: Number(started.exec(stderr)?.[1]) };
}

// Every step runs the real CLI (a Node start-up each); on a shared, loaded 2-core machine that is slow.
const CLI_TIMEOUT = { timeout: 240_000 };

describe('lab up / status / down (local runtime, real PostgreSQL)', CLI_TIMEOUT, () => {
  let home: string;
  let lab: ReturnType<typeof labIn>;

  beforeAll(() => {
    home = mkdtempSync(path.join(tmpdir(), 'lab-cli-'));
    lab = labIn(home);
  });

  afterAll(async () => {
    await lab('down', '--purge');
    rmSync(home, { recursive: true, force: true });
  });

  it('up starts postgres detached, prints endpoints without passwords, and returns', async () => {
    const up = await lab('up', '--runtime', 'local');
    expect(up.stderr).toContain('postgres: healthy');
    expect(up.exitCode).toBe(0);
    expect(up.stdout).toContain('The stack is up (local runtime, reference kit)');
    expect(up.stdout).toMatch(/order db\s+postgres:\/\/order:\*\*\*@127\.0\.0\.1:\d+\/order/);
    expect(statSync(path.join(home, 'state.json')).mode & 0o777).toBe(0o600);
    // The real password is in the state file and works.
    const state = JSON.parse(readFileSync(path.join(home, 'state.json'), 'utf8'));
    const client = new pg.Client({ connectionString: state.endpoints.databases.payment });
    await client.connect();
    expect((await client.query('SELECT current_user AS u')).rows[0].u).toBe('payment');
    await client.end();
    expect(up.stdout + up.stderr).not.toContain(state.postgres.credentials.services.payment.password);
  });

  it('status shows every process with pid, state, health and port; --json too', async () => {
    const human = await lab('status');
    expect(human.exitCode).toBe(0);
    expect(human.stdout).toMatch(/postgres\s+infra\s+running\s+healthy\s+\d+\s+\d+/);
    const json = JSON.parse((await lab('status', '--json')).stdout);
    expect(json).toMatchObject({ runtime: 'local', running: true });
    expect(json.processes[0]).toMatchObject({
      name: 'postgres',
      kind: 'infra',
      state: 'running',
      healthy: true,
    });
    expect(isLive(json.processes[0].pid)).toBe(true);
    expect(json.endpoints.databases.order).toContain(':***@');
  });

  it('a second up says the stack is running and starts nothing', async () => {
    const before = JSON.parse((await lab('status', '--json')).stdout).processes[0].pid;
    const again = await lab('up', '--runtime', 'local');
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('already running');
    expect(again.stdout).toContain('order db');
    const after = JSON.parse((await lab('status', '--json')).stdout).processes;
    expect(after).toHaveLength(1);
    expect(after[0].pid).toBe(before);
  });

  it('pause / resume / kill / restart / stop postgres by name, with real signals', async () => {
    const pid = JSON.parse((await lab('status', '--json')).stdout).processes[0].pid;
    const children = childrenOf(pid);
    expect(children.length).toBeGreaterThan(0);
    expect((await lab('pause', 'postgres')).exitCode).toBe(0);
    // Like `docker pause`: the postmaster and every server process are frozen.
    for (const member of [pid, ...children]) expect(procInfo(member)?.state, `pid ${member}`).toBe('T');
    expect((await lab('resume', 'postgres')).exitCode).toBe(0);
    for (const member of [pid, ...children]) expect(procInfo(member)?.state, `pid ${member}`).not.toBe('T');
    expect((await lab('kill', 'postgres')).exitCode).toBe(0);
    expect(isLive(pid)).toBe(false);
    const restart = await lab('restart', 'postgres');
    expect(restart.exitCode).toBe(0);
    const status = JSON.parse((await lab('status', '--json')).stdout).processes[0];
    expect(status).toMatchObject({ state: 'running', healthy: true });
    expect(status.pid).not.toBe(pid);
    // stop is PostgreSQL's own stop signal: a clean shutdown, which its log says (a kill leaves none).
    const shutdowns = async () =>
      (await lab('logs', 'postgres')).stdout.split('database system is shut down').length - 1;
    const before = await shutdowns();
    const stop = await lab('stop', 'postgres');
    expect(stop.stdout).toBe('postgres: stopped');
    expect(isLive(status.pid)).toBe(false);
    expect(await shutdowns()).toBe(before + 1);
    expect((await lab('restart', 'postgres')).exitCode).toBe(0);
  });

  it('an unknown name: exit 2 with the closest valid one', async () => {
    const result = await lab('kill', 'postgress');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("'postgress' is not a piece of this stack");
    expect(result.stderr).toContain("closest is 'postgres'");
  });

  it("logs prints the named piece's log", async () => {
    const result = await lab('logs', 'postgres');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('database system is ready to accept connections');
  });

  it('logs -f follows until Ctrl-C (exit 130)', async () => {
    const follow = execa(process.execPath, [LAB, 'logs', '-f'], {
      reject: false,
      env: { LAB_HOME: home, CI: 'true' },
    });
    let stdout = '';
    follow.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    const deadline = Date.now() + 30_000;
    while (!stdout.includes('postgres | ') && Date.now() < deadline) await sleep(20);
    // A line written now must show up while following.
    const marker = `marker-${Date.now()}`;
    const state = JSON.parse(readFileSync(path.join(home, 'state.json'), 'utf8'));
    const client = new pg.Client({ connectionString: state.endpoints.databases.order });
    await client.connect();
    await client.query(`DO $$ BEGIN RAISE LOG '${marker}'; END $$`);
    await client.end();
    while (!stdout.includes(marker) && Date.now() < deadline) await sleep(20);
    follow.kill('SIGINT');
    const result = await follow;
    expect(stdout).toContain(`postgres | `);
    expect(stdout).toContain(marker);
    expect(result.exitCode).toBe(130);
  });

  it('down stops every process of the stack: no pid survives', async () => {
    const pids = stackPids(home);
    expect(pids.length).toBeGreaterThan(1); // postmaster + auxiliary processes
    const down = await lab('down');
    expect(down.exitCode).toBe(0);
    expect(down.stdout).toContain('Stopped postgres');
    for (const pid of pids) expect(isLive(pid), `pid ${pid}`).toBe(false);
    expect(readdirSync(home)).not.toContain('state.json');
  });

  it('data survives down and up; down --purge deletes it', async () => {
    expect((await lab('up', '--runtime', 'local')).exitCode).toBe(0);
    expect(readdirSync(path.join(home, 'data', 'postgres'))).toContain('PG_VERSION');
    expect((await lab('down', '--purge')).exitCode).toBe(0);
    expect(readdirSync(home)).not.toContain('data');
  });

  it('Ctrl-C while up is starting: exit 130 and no orphans', async () => {
    rmSync(path.join(home, 'data'), { recursive: true, force: true });
    const { up, postmaster } = await upUntilPostgresStarted(home);
    expect(postmaster).toBeGreaterThan(0);
    up.kill('SIGINT');
    const result = await up;
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toContain('interrupted');
    expect(isLive(postmaster)).toBe(false);
    // Nothing works in the cluster's data directory any more (every postgres process chdirs there).
    const dataDir = path.join(home, 'data', 'postgres');
    const orphans = readdirSync('/proc')
      .map(Number)
      .filter((pid) => Number.isInteger(pid) && isLive(pid) && cwdOf(pid) === dataDir);
    expect(orphans).toEqual([]);
    expect(readdirSync(home)).not.toContain('state.json');
  });

  it('a `lab up` SIGKILLed half-way: the next `lab up` cleans up after it and starts afresh', async () => {
    const { up, postmaster: abandoned } = await upUntilPostgresStarted(home);
    up.kill('SIGKILL');
    await up;
    const again = await lab('up', '--runtime', 'local');
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('The stack is up');
    expect(isLive(abandoned)).toBe(false);
    expect((await lab('down')).exitCode).toBe(0);
  });
});

describe('bad input and missing pieces', CLI_TIMEOUT, () => {
  let home: string;

  beforeAll(() => {
    home = mkdtempSync(path.join(tmpdir(), 'lab-cli-bad-'));
  });

  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('no stack running: kill/stop/restart say E_NOT_RUNNING, exit 3; status and down exit 0', async () => {
    const lab = labIn(home);
    for (const command of ['kill', 'stop', 'restart']) {
      const result = await lab(command, 'order');
      expect(result.exitCode, command).toBe(3);
      expect(result.stderr).toContain('no lab stack is running');
    }
    const status = await lab('status', '--json');
    expect(status.exitCode).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ running: false, processes: [] });
    const down = await lab('down');
    expect(down.exitCode).toBe(0);
    expect(down.stdout).toContain('nothing to stop');
  });

  it('an unwritable LAB_HOME: a specific message, exit 2, nothing started', async () => {
    const file = path.join(home, 'a-file');
    writeFileSync(file, '');
    const result = await labIn(path.join(file, 'home'))('up', '--runtime', 'local');
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`cannot write to the lab home ${path.join(file, 'home')}`);
    expect(result.stderr).toContain('LAB_HOME');
  });

  it('no PostgreSQL binaries: E_NO_POSTGRES, exit 3, naming the fixes', async () => {
    const result = await labIn(home, { LAB_PG_BIN: path.join(home, 'nothing-here') })(
      'up',
      '--runtime',
      'local',
    );
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('the local runtime needs PostgreSQL');
    expect(result.stderr).toContain('apt-get install postgresql');
    expect(result.stderr).toContain('--runtime docker');
    expect(readdirSync(home)).not.toContain('state.json');
  });

  it('a pinned port (LAB_PORTS) that is taken: named, exit 3, nothing started; a bad LAB_PORTS: exit 2', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as AddressInfo).port;
    try {
      const taken = await labIn(home, { LAB_PORTS: `postgres=${port}` })('up', '--runtime', 'local');
      expect(taken.exitCode).toBe(3);
      expect(taken.stderr).toContain(`port ${port} for postgres is already in use`);
      expect(readdirSync(home)).not.toContain('state.json');
    } finally {
      holder.close();
    }
    const typo = await labIn(home, { LAB_PORTS: 'postgrs=5432' })('up', '--runtime', 'local');
    expect(typo.exitCode).toBe(2);
    expect(typo.stderr).toContain("no component 'postgrs'");
    expect(typo.stderr).toContain("closest is 'postgres'");
  });

  it('bad --runtime and --without values: exit 2 with the valid ones', async () => {
    const lab = labIn(home);
    const runtime = await lab('up', '--runtime', 'podman');
    expect(runtime.exitCode).toBe(2);
    expect(runtime.stderr).toContain("unknown runtime 'podman'");
    const without = await lab('up', '--runtime', 'local', '--without', 'inbx');
    expect(without.exitCode).toBe(2);
    expect(without.stderr).toContain("closest is 'inbox'");
  });
});

describe('lab doctor', CLI_TIMEOUT, () => {
  it('--json reports Node and PostgreSQL facts and the runtime auto would pick, exit 0', async () => {
    const result = await execa(process.execPath, [LAB, 'doctor', '--json'], {
      reject: false,
      env: { CI: 'true' },
    });
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.node).toEqual({ ok: true, version: process.versions.node, required: '>= 22.6' });
    expect(report.postgres).toMatchObject({ ok: true, version: expect.stringMatching(/^\d+\.\d+/) });
    expect(statSync(path.join(report.postgres.binDir, 'initdb')).isFile()).toBe(true);
    expect(['local', 'docker']).toContain(report.runtime.auto);
    expect(report.runtime.reason.length).toBeGreaterThan(0);
    expect(typeof report.docker.ok).toBe('boolean');
  });

  it('still exits 0 when pieces are missing, marking them', async () => {
    const result = await execa(process.execPath, [LAB, 'doctor'], {
      reject: false,
      env: { CI: 'true', DOCKER_HOST: 'unix:///nonexistent/docker.sock', LAB_PG_BIN: '/nonexistent' },
    });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/missing\s+Docker engine/);
    expect(result.stdout).toMatch(/missing\s+PostgreSQL\s+LAB_PG_BIN=\/nonexistent/);
    expect(result.stdout).toMatch(/ok\s+Node\.js\s+\d+\.\d+/);
    expect(result.stdout).toContain('--runtime auto would pick: local');
  });

  it('probes in parallel without a Docker engine', async () => {
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = 'unix:///nonexistent/docker.sock';
    try {
      await runDoctor(); // loads the probes' modules
      const t0 = performance.now();
      const report = await runDoctor();
      const elapsed = performance.now() - t0;
      expect(report.docker.ok).toBe(false);
      // Idle, this is well under 2 s. The bound is below the probes' timeouts in a row
      // (Docker ping 0.5 s + compose v2 1.5 s + compose v1 1.5 s), so only parallel probes pass
      // on a loaded machine too.
      expect(elapsed).toBeLessThan(3000);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });
});
