import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Component } from './component.ts';
import { LocalRuntime } from './local-runtime.ts';
import { allocatePorts, assertPortFree } from './ports.ts';
import { procInfo } from './proc.ts';
import {
  isAlive,
  killProcess,
  type ProcessRecord,
  pauseProcess,
  resumeProcess,
  startProcess,
  stopProcess,
  waitHealthy,
} from './supervisor.ts';

// A tiny HTTP server; env switches make it crash, ignore SIGTERM, say goodbye on it or spawn a grandchild.
const CHILD = `
import http from 'node:http';
import { spawn } from 'node:child_process';
if (process.env.CRASH) { console.error('boom: cannot open the widget'); process.exit(1); }
if (process.env.IGNORE_TERM) process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
if (process.env.GOODBYE) process.on('SIGTERM', () => { console.log('goodbye'); process.exit(0); });
if (process.env.GRANDCHILD) {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  console.log('grandchild ' + child.pid);
}
http.createServer((req, res) => res.end(process.env.SECRET_WORD ?? 'ok'))
  .listen(Number(process.env.PORT), '127.0.0.1', () => console.log('listening'));
`;

let root: string;
let script: string;
const started: ProcessRecord[] = [];

function isLive(pid: number): boolean {
  const state = procInfo(pid)?.state;
  return state !== undefined && state !== 'Z' && state !== 'X';
}

async function until(condition: () => boolean, what: string, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function startChild(name: string, env: Record<string, string> = {}): Promise<ProcessRecord> {
  const [port] = await allocatePorts(1);
  const record = await startProcess(
    {
      name,
      kind: 'service',
      command: process.execPath,
      args: [script],
      env: { PORT: String(port), ...env },
      cwd: root,
      port,
      ports: { main: port! },
      health: { type: 'http', url: `http://127.0.0.1:${port}/health` },
      stopGraceMs: 1000,
    },
    { logDir: path.join(root, 'logs') },
  );
  started.push(record);
  return record;
}

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'lab-sup-'));
  script = path.join(root, 'child.mjs');
  writeFileSync(script, CHILD);
});

afterAll(async () => {
  for (const record of started) await killProcess(record);
  rmSync(root, { recursive: true, force: true });
});

describe('supervisor', () => {
  it('starts a detached process in its own process group, logs to <name>.log, waits for health', async () => {
    const record = await startChild('alpha', { SECRET_WORD: 'hello' });
    await waitHealthy(record, { deadlineMs: 20_000 });
    expect(procInfo(record.pid)?.pgrp).toBe(record.pid);
    expect(record.startTime).toBe(procInfo(record.pid)?.startTime);
    expect(await (await fetch(`http://127.0.0.1:${record.port}/`)).text()).toBe('hello');
    await until(() => readFileSync(record.logFile, 'utf8').includes('listening'), 'the log line');
    expect(path.basename(record.logFile)).toBe('alpha.log');
  });

  it('pauses (T in /proc) and resumes with real signals, then kills with SIGKILL', async () => {
    const record = await startChild('beta');
    await waitHealthy(record, { deadlineMs: 20_000 });
    await pauseProcess(record);
    expect(procInfo(record.pid)?.state).toBe('T');
    await expect(
      fetch(`http://127.0.0.1:${record.port}/`, { signal: AbortSignal.timeout(300) }),
    ).rejects.toThrow();
    await resumeProcess(record);
    expect(procInfo(record.pid)?.state).not.toBe('T');
    expect((await fetch(`http://127.0.0.1:${record.port}/`)).status).toBe(200);
    await killProcess(record);
    expect(isAlive(record)).toBe(false);
  });

  it('kills the whole process group, grandchildren included', async () => {
    const record = await startChild('gamma', { GRANDCHILD: '1' });
    await waitHealthy(record, { deadlineMs: 20_000 });
    let grandchild = 0;
    await until(() => {
      grandchild = Number(/grandchild (\d+)/.exec(readFileSync(record.logFile, 'utf8'))?.[1] ?? 0);
      return grandchild > 0;
    }, 'the grandchild pid');
    expect(isLive(grandchild)).toBe(true);
    await killProcess(record);
    await until(() => !isLive(grandchild), 'the grandchild to die');
  });

  it('stops with SIGTERM, and SIGKILLs after the grace period when SIGTERM is ignored', async () => {
    const polite = await startChild('delta');
    const stubborn = await startChild('epsilon', { IGNORE_TERM: '1' });
    await waitHealthy(polite, { deadlineMs: 20_000 });
    await waitHealthy(stubborn, { deadlineMs: 20_000 });
    const t0 = Date.now();
    await stopProcess(polite);
    expect(isAlive(polite)).toBe(false);
    await stopProcess(stubborn);
    expect(isAlive(stubborn)).toBe(false);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(readFileSync(stubborn.logFile, 'utf8')).toContain('ignoring SIGTERM');
  });

  it('never signals a recycled pid: a record whose start time differs is treated as gone', async () => {
    const record = await startChild('zeta');
    await waitHealthy(record, { deadlineMs: 20_000 });
    const impostor = { ...record, startTime: record.startTime - 1 };
    expect(isAlive(impostor)).toBe(false);
    await killProcess(impostor);
    await pauseProcess(impostor);
    expect(procInfo(record.pid)?.state).not.toBe('T');
    expect(isAlive(record)).toBe(true);
    await killProcess(record);
  });

  it('fails a piece that exits before it is healthy, with the tail of its log', async () => {
    const record = await startChild('eta', { CRASH: '1' });
    await expect(waitHealthy(record, { deadlineMs: 20_000 })).rejects.toThrow(
      /eta exited[\s\S]*boom: cannot open the widget/,
    );
  });

  it('refuses a fixed port that is taken, naming it', async () => {
    const record = await startChild('theta');
    await waitHealthy(record, { deadlineMs: 20_000 });
    await expect(assertPortFree(record.port!, 'the gateway')).rejects.toThrow(
      new RegExp(`port ${record.port} for the gateway is already in use`),
    );
    await killProcess(record);
  });
});

describe('LocalRuntime with a declared stack', () => {
  let home: string;
  let runtime: LocalRuntime | undefined;

  function component(name: string, order: number, env: Record<string, string> = {}): Component {
    return {
      name,
      kind: 'service',
      order,
      ports: ['http'],
      launch: (ctx) => ({
        command: process.execPath,
        args: [script],
        env: {
          PORT: String(ctx.port(name)),
          UPSTREAM: ctx.has('one') ? String(ctx.port('one')) : '',
          ...env,
        },
      }),
      health: (ctx) => ({ type: 'http', url: `http://127.0.0.1:${ctx.port(name)}/health` }),
    };
  }

  beforeAll(() => {
    home = mkdtempSync(path.join(tmpdir(), 'lab-rt-'));
  });

  afterEach(async () => {
    await runtime?.down({ purge: true });
  });

  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('starts the stack in order, records state (0600), and acts on pieces by name', async () => {
    runtime = new LocalRuntime({
      home,
      components: [component('one', 1), component('two', 2, { GOODBYE: '1' })],
    });
    const progress: string[] = [];
    const endpoints = await runtime.up({
      without: ['inbox'],
      onProgress: (message) => progress.push(message),
    });
    expect(endpoints.services).toEqual({
      one: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
      two: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/),
    });
    const oneHealthy = progress.indexOf('one: healthy');
    expect(oneHealthy).toBeGreaterThanOrEqual(0);
    expect(oneHealthy).toBeLessThan(progress.findIndex((m) => m.startsWith('two: started')));
    const stateFile = path.join(home, 'state.json');
    expect(readFileSync(stateFile, 'utf8')).toContain('"without"');
    expect((await import('node:fs')).statSync(stateFile).mode & 0o777).toBe(0o600);

    // A second runtime object (another shell) sees the same stack.
    const other = new LocalRuntime({
      home,
      components: [component('one', 1), component('two', 2, { GOODBYE: '1' })],
    });
    const status = await other.status();
    expect(status.running).toBe(true);
    expect(status.without).toEqual(['inbox']);
    expect(status.processes.map((p) => [p.name, p.state, p.healthy])).toEqual([
      ['one', 'running', true],
      ['two', 'running', true],
    ]);
    // The second piece got the first one's port.
    const two = JSON.parse(readFileSync(stateFile, 'utf8')).processes[1];
    expect(two.env.UPSTREAM).toBe(String(status.processes[0]!.port));

    const pidOf = async (name: string) => (await other.status()).processes.find((p) => p.name === name)!.pid!;
    const before = await pidOf('two');
    await other.pause('two');
    expect(procInfo(before)?.state).toBe('T');
    expect((await other.status()).processes[1]!.state).toBe('paused');
    await other.resume('two');
    expect(procInfo(before)?.state).not.toBe('T');
    await other.kill('two');
    expect(isLive(before)).toBe(false);
    expect((await other.status()).processes[1]!.state).toBe('exited');
    await other.restart('two');
    const after = await pidOf('two');
    expect(after).not.toBe(before);
    expect((await other.status()).processes[1]).toMatchObject({ state: 'running', healthy: true });
    // stop is a clean shutdown: the piece got SIGTERM and could say goodbye (kill gives it no chance).
    await other.stop('two');
    expect(isLive(after)).toBe(false);
    expect((await other.status()).processes[1]!.state).toBe('exited');
    expect(readFileSync(path.join(other.logDir, 'two.log'), 'utf8')).toContain('goodbye');
    await other.restart('two');
    const restarted = await pidOf('two');

    await expect(other.kill('tow')).rejects.toMatchObject({
      code: 'E_UNKNOWN_NAME',
      exitCode: 2,
      hint: expect.stringContaining("'two'"),
    });
    await other.down({ purge: false });
    expect(isLive(restarted)).toBe(false);
    expect(readdirSync(home)).not.toContain('state.json');
    await expect(other.kill('two')).rejects.toMatchObject({ code: 'E_NOT_RUNNING' });
  });

  it('a piece that will not start: E_START_FAILED naming it with its log, and nothing left running', async () => {
    runtime = new LocalRuntime({
      home,
      components: [component('one', 1), component('broken', 2, { CRASH: '1' })],
    });
    const progress: string[] = [];
    const failure = runtime.up({ without: [], onProgress: (message) => progress.push(message) });
    await expect(failure).rejects.toMatchObject({ code: 'E_START_FAILED', exitCode: 3 });
    await expect(failure).rejects.toThrow(/broken exited[\s\S]*boom: cannot open the widget/);
    const onePid = Number(/one: started \(pid (\d+)\)/.exec(progress.join('\n'))?.[1]);
    expect(onePid).toBeGreaterThan(0);
    expect(isLive(onePid)).toBe(false);
    expect(readdirSync(home)).not.toContain('state.json');
  });

  it('an aborted up (Ctrl-C) stops what it started and rejects with exit code 130', async () => {
    runtime = new LocalRuntime({ home, components: [component('one', 1), component('two', 2)] });
    const controller = new AbortController();
    const progress: string[] = [];
    const up = runtime.up({
      without: [],
      signal: controller.signal,
      onProgress: (message) => {
        progress.push(message);
        if (message.startsWith('one: started')) controller.abort();
      },
    });
    await expect(up).rejects.toMatchObject({ code: 'E_INTERRUPTED', exitCode: 130 });
    const onePid = Number(/one: started \(pid (\d+)\)/.exec(progress.join('\n'))?.[1]);
    expect(isLive(onePid)).toBe(false);
    expect(progress.some((message) => message.startsWith('two'))).toBe(false);
  });
});
