/**
 * `lab fault ...` through the real CLI against a standalone fault proxy (LAB_FAULT_PROXY_URL),
 * its links created by populate as the local runtime creates them.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FaultProxy, startFaultProxy } from '../../infra/fault-proxy/server.ts';
import {
  api,
  echoUpstream,
  portOf,
  RecordingClient,
  type Upstream,
} from '../../infra/fault-proxy/test-support.ts';
import { FaultClient } from './client.ts';

const LAB = path.resolve(import.meta.dirname, '../../bin/lab');

let faultProxy: FaultProxy;
let echo: Upstream;
let paymentDbPort: number;

async function lab(...args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  const result = await execa(LAB, args, {
    reject: false,
    env: { LAB_FAULT_PROXY_URL: faultProxy.url },
    timeout: 120_000,
  });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

beforeAll(async () => {
  faultProxy = await startFaultProxy({ port: 0, seed: 5 });
  echo = await echoUpstream();
  const links = await new FaultClient(faultProxy.url).populate(
    ['payment.db', 'inventory.kafka', 'gateway.order'].map((name) => ({
      name,
      listen: '127.0.0.1:0',
      upstream: echo.address,
    })),
  );
  paymentDbPort = portOf(links.find((link) => link.name === 'payment.db')?.listen ?? '');
});

afterAll(async () => {
  await faultProxy.close();
  await echo.close();
});

// Each CLI run starts Node and the whole program: seconds each on a loaded 2-core machine.
describe('lab fault', { timeout: 240_000 }, () => {
  it('add slows the link and says what changed; list shows it; remove heals it', async () => {
    const added = await lab('fault', 'add', 'payment.db', 'latency', '--attr', 'latency=500');
    expect(added).toMatchObject({
      exitCode: 0,
      stdout: 'payment.db: added latency_downstream (latency=500ms, toxicity 1)',
    });
    const client = new RecordingClient(paymentDbPort);
    await client.connected;
    expect(await client.roundTrip('query')).toBeGreaterThanOrEqual(500);

    const listed = await lab('fault', 'list');
    expect(listed.exitCode).toBe(0);
    expect(listed.stdout).toMatch(
      /payment\.db\s+up\s+127\.0\.0\.1:\d+\s+\S+\s+latency_downstream \(latency=500ms/,
    );

    const removed = await lab('fault', 'remove', 'payment.db', 'latency_downstream');
    expect(removed).toMatchObject({ exitCode: 0, stdout: 'payment.db: removed latency_downstream' });
    expect(await client.roundTrip('query')).toBeLessThan(400);
    client.socket.destroy();
  });

  it('down cuts the link and up restores it; reset heals everything and reports it', async () => {
    const client = new RecordingClient(paymentDbPort);
    await client.connected;
    const down = await lab('fault', 'down', 'payment.db');
    expect(down.exitCode).toBe(0);
    expect(down.stdout).toContain('payment.db: down');
    await client.closed;
    expect((await lab('fault', 'down', 'payment.db')).stdout).toBe('payment.db: already down');
    const up = await lab('fault', 'up', 'payment.db');
    expect(up.stdout).toMatch(/^payment\.db: up \(listening on 127\.0\.0\.1:\d+\)$/);

    await new FaultClient(faultProxy.url).addToxic('inventory.kafka', {
      type: 'timeout',
      stream: 'upstream',
      toxicity: 1,
      attributes: { timeout: 0 },
    });
    await api(faultProxy.url, 'POST', '/proxies/gateway.order', { enabled: false });
    const reset = await lab('fault', 'reset');
    expect(reset.exitCode).toBe(0);
    expect(reset.stdout).toContain('gateway.order: up');
    expect(reset.stdout).toContain('inventory.kafka: removed timeout_upstream');
    const links = await new FaultClient(faultProxy.url).links();
    expect(links.every((link) => link.enabled && link.toxics.length === 0)).toBe(true);
  });

  it('unknown link, toxic or attribute: exit 2 with the closest valid one', async () => {
    // Independent runs: in parallel, to keep the suite short on a slow machine.
    const [link, toxic, attribute] = await Promise.all([
      lab('fault', 'add', 'paymnt.db', 'latency', '--attr', 'latency=5'),
      lab('fault', 'add', 'payment.db', 'bandwith'),
      lab('fault', 'add', 'payment.db', 'latency', '--attr', 'latency=5', '--attr', 'jiter=5'),
    ]);
    expect(link.exitCode).toBe(2);
    expect(link.stderr).toContain("The closest is 'payment.db'");
    expect(toxic.exitCode).toBe(2);
    expect(toxic.stderr).toContain("The closest is 'bandwidth'");
    expect(attribute.exitCode).toBe(2);
    expect(attribute.stderr).toContain("The closest is 'jitter'");
  });

  it('an unreachable fault proxy is an infrastructure failure (exit 3)', async () => {
    const result = await execa(LAB, ['fault', 'list'], {
      reject: false,
      env: { LAB_FAULT_PROXY_URL: 'http://127.0.0.1:1' },
    });
    expect(result.exitCode).toBe(3);
    expect(String(result.stderr)).toContain('cannot reach the fault proxy');
  });
});

describe('lab infra fault-proxy', { timeout: 120_000 }, () => {
  it('serves the Toxiproxy API standalone, with proxies from --config, until SIGTERM', async () => {
    const config = path.join(mkdtempSync(path.join(tmpdir(), 'lab-fault-config-')), 'links.json');
    writeFileSync(
      config,
      JSON.stringify([{ name: 'from-config', listen: '127.0.0.1:0', upstream: echo.address }]),
    );
    const child = spawn(process.execPath, [
      LAB,
      'infra',
      'fault-proxy',
      '--port',
      '0',
      '--seed',
      '9',
      '--config',
      config,
    ]);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (data: Buffer) => {
        const match = /listening on (http:\/\/\S+) \(seed 9\)/.exec(data.toString());
        if (match?.[1]) resolve(match[1]);
      });
      void exited.then(() => reject(new Error('exited before listening')));
    });
    const version = await api(url, 'GET', '/version');
    expect(version.json()).toEqual({ version: '2.12.0' });
    // --config populated its proxies before the API answered.
    expect((await api(url, 'GET', '/proxies/from-config')).json()).toMatchObject({
      enabled: true,
      upstream: echo.address,
    });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
