/**
 * `lab chaos` keeps its promise on every way out, with real processes: SIGHUP in the middle of
 * its faults, its stdout closed (`| head -1`, and a reader that goes away mid-fault), its pty
 * closed, and its stdout closed while it is still starting a stack of its own. Each leaves no
 * process of the run alive (checked by pid), no toxic, no downed link, no service hook on, and
 * exits with the code the README documents: 129 SIGHUP, 141 closed output.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_SERVICES } from '../common/roster.ts';

const LAB = new URL('../bin/lab', import.meta.url).pathname;
let home: string;
let scenario: string;

const env = (extra: Record<string, string> = {}) => ({
  ...process.env,
  LAB_HOME: home,
  CI: 'true',
  FORCE_COLOR: '0',
  ...extra,
});
const lab = (...args: string[]) =>
  execa(process.execPath, [LAB, ...args], { reject: false, env: env(), all: true });

const LONG_FAULTS = `name: long-faults
description: Faults that stay on for half a minute, to interrupt a run in the middle of them.
seed: 3
setup:
  customers: 4
  balance: 100.00
  products:
    - { sku: bread, price: 1.00, stock: 5000 }
workload:
  orders: 3000
  rate: 5/s
  concurrency: 4
faults:
  - { at: 0s, for: 30s, latency: { link: payment.db, ms: 50 } }
  - { at: 0s, for: 30s, down: { link: shipping.kafka } }
  - { at: 0s, for: 30s, duplicate: { service: order, probability: 0.5, copies: 1 } }
settle: 5s
expect:
  verdict: valid
  checks: [sagas_terminal]
`;

interface State {
  endpoints: { faultProxyUrl: string; adminToken: string; services: Record<string, string> };
  processes: Array<{ name: string; pid: number }>;
}
const state = (labHome = home): State => JSON.parse(readFileSync(path.join(labHome, 'state.json'), 'utf8'));

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Every process whose working directory is this lab home: every piece a runtime started. */
function processesIn(labHome: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readlinkSync(`/proc/${pid}/cwd`) === labHome;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** What is on right now: toxics, downed links, service hooks. */
async function faultsOn(): Promise<{ toxics: string[]; down: string[]; hooks: string[] }> {
  const { endpoints } = state();
  const proxies = (await (await fetch(`${endpoints.faultProxyUrl}/proxies`)).json()) as Record<
    string,
    { enabled: boolean; toxics: Array<{ name: string }> }
  >;
  const hooks: string[] = [];
  for (const service of DATABASE_SERVICES) {
    const snapshot = (await (
      await fetch(`${endpoints.services[service]}/admin/faults`, {
        headers: { 'x-lab-admin-token': endpoints.adminToken },
      })
    ).json()) as { duplicate: unknown; relay_crash: boolean };
    if (snapshot.duplicate) hooks.push(`${service}.duplicate`);
    if (snapshot.relay_crash) hooks.push(`${service}.relay_crash`);
  }
  return {
    toxics: Object.entries(proxies).flatMap(([link, proxy]) =>
      proxy.toxics.map((toxic) => `${link}/${toxic.name}`),
    ),
    down: Object.entries(proxies)
      .filter(([, proxy]) => !proxy.enabled)
      .map(([link]) => link),
    hooks,
  };
}

/** Resolves once the scenario's three faults are all on. */
async function untilFaultsOn(deadlineMs = 90_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (Date.now() < deadline) {
    const on = await faultsOn().catch(() => undefined);
    if (on && on.toxics.length > 0 && on.down.length > 0 && on.hooks.length > 0) return;
    await sleep(200);
  }
  throw new Error('the faults never came on');
}

async function expectNothingOn(): Promise<void> {
  expect(await faultsOn()).toEqual({ toxics: [], down: [], hooks: [] });
}

function exitOf(child: ReturnType<typeof spawn>): Promise<number | null> {
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

const stackIsAlive = () => state().processes.every((record) => isAlive(record.pid));

describe('lab chaos on every way out', () => {
  beforeAll(async () => {
    home = mkdtempSync(path.join(tmpdir(), 'lab-signals-'));
    scenario = path.join(home, 'long-faults.yaml');
    writeFileSync(scenario, LONG_FAULTS);
    const up = await lab('up', '--runtime', 'local', '--no-seed');
    expect(up.exitCode, up.all).toBe(0);
  }, 180_000);

  afterAll(async () => {
    await lab('down', '--purge');
    rmSync(home, { recursive: true, force: true });
  }, 120_000);

  it('SIGHUP mid-fault: heals everything, leaves the stack it found, exits 129', async () => {
    const child = spawn(process.execPath, [LAB, 'chaos', scenario], { env: env(), stdio: 'ignore' });
    const exited = exitOf(child);
    await untilFaultsOn();
    child.kill('SIGHUP');
    expect(await exited).toBe(129);
    expect(isAlive(child.pid!)).toBe(false);
    await expectNothingOn();
    expect(stackIsAlive()).toBe(true);
  }, 180_000);

  it('stdout closed mid-fault (the reader goes away): heals everything, exits 141', async () => {
    const child = spawn(process.execPath, [LAB, 'chaos', scenario], {
      env: env(),
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const exited = exitOf(child);
    child.stdout!.on('data', () => {});
    await untilFaultsOn();
    child.stdout!.destroy();
    expect(await exited).toBe(141);
    await expectNothingOn();
    expect(stackIsAlive()).toBe(true);
  }, 180_000);

  it('`lab chaos ... | head -1`: exits 141, nothing on, nothing of the run alive', async () => {
    const rcFile = path.join(home, 'head.rc');
    const pipeline = await execa(
      'bash',
      [
        '-c',
        `"${process.execPath}" "${LAB}" chaos "${scenario}" | head -1; echo "\${PIPESTATUS[0]}" > "${rcFile}"`,
      ],
      { env: env(), reject: false },
    );
    expect(pipeline.stdout).toMatch(/^runtime: local/);
    expect(readFileSync(rcFile, 'utf8').trim()).toBe('141');
    await expectNothingOn();
    expect(stackIsAlive()).toBe(true);
    const strays = (await execa('pgrep', ['-f', `chaos ${scenario}`], { reject: false })).stdout.trim();
    expect(strays).toBe('');
  }, 180_000);

  it('its pty closed mid-fault (the terminal window goes): heals everything, exits 129', async () => {
    const rcFile = path.join(home, 'pty.rc');
    // The session's leader only waits for lab and writes its exit code: the hang-up is lab's to handle.
    const leader = path.join(home, 'leader.mjs');
    writeFileSync(
      leader,
      `import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
process.on('SIGHUP', () => {});
const child = spawn(process.execPath, [${JSON.stringify(LAB)}, 'chaos', ${JSON.stringify(scenario)}], { stdio: 'inherit' });
writeFileSync(${JSON.stringify(`${rcFile}.pid`)}, String(child.pid));
child.on('exit', (code, signal) => writeFileSync(${JSON.stringify(rcFile)}, String(code ?? signal)));
`,
    );
    // A real terminal: script(1) gives lab a pty (so the live view runs); killing script closes it.
    const { CI: _ci, ...terminalEnv } = env({ TERM: 'xterm' });
    const terminal = spawn('script', ['-qfec', `"${process.execPath}" "${leader}"`, '/dev/null'], {
      env: terminalEnv,
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    await untilFaultsOn();
    const labPid = Number(readFileSync(`${rcFile}.pid`, 'utf8'));
    terminal.kill('SIGKILL');
    const deadline = Date.now() + 60_000;
    let rc = '';
    while (Date.now() < deadline) {
      rc = (() => {
        try {
          return readFileSync(rcFile, 'utf8');
        } catch {
          return '';
        }
      })();
      if (rc) break;
      await sleep(200);
    }
    expect(rc).toBe('129');
    expect(isAlive(labPid)).toBe(false);
    await expectNothingOn();
    expect(stackIsAlive()).toBe(true);
  }, 180_000);

  it('stdout closed while it starts its own stack: every process it started is stopped', async () => {
    const fresh = mkdtempSync(path.join(tmpdir(), 'lab-signals-fresh-'));
    try {
      const child = spawn(process.execPath, [LAB, 'chaos', scenario, '--runtime', 'local'], {
        env: { ...env(), LAB_HOME: fresh },
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      const exited = exitOf(child);
      const seen = new Set<number>();
      child.stdout!.on('data', () => {});
      // Close the pipe once some services run (the moment `| head -9` did it).
      const deadline = Date.now() + 90_000;
      while (Date.now() < deadline) {
        try {
          for (const record of state(fresh).processes) seen.add(record.pid);
        } catch {
          // Not written yet.
        }
        if (processesIn(fresh).length >= 5) break;
        await sleep(50);
      }
      for (const pid of processesIn(fresh)) seen.add(pid);
      expect(seen.size).toBeGreaterThanOrEqual(5);
      child.stdout!.destroy();
      expect(await exited).toBe(141);
      expect([...seen].filter(isAlive)).toEqual([]);
      expect(processesIn(fresh)).toEqual([]);
      const status = await execa(process.execPath, [LAB, 'status'], {
        env: { ...env(), LAB_HOME: fresh },
        reject: false,
      });
      expect(status.stdout).toMatch(/no (lab )?stack/i);
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  }, 180_000);
});
