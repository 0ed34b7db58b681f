/**
 * The console's gate and counters without a stack: a mutating request without the admin secret
 * is answered 401 before the hub (and so the stack) is ever touched; the secret in the URL
 * becomes an HttpOnly SameSite=Strict cookie that then opens the same route; Prometheus sums.
 */
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import type { ConsoleHub } from '../cli/ui/hub.ts';
import { countersFrom, sumMetric } from '../cli/ui/metrics.ts';
import { liveChaosRun } from '../cli/ui/runs.ts';
import { createConsoleServer } from '../cli/ui/server.ts';

const SECRET = 'a'.repeat(64);

function server() {
  const calls: string[] = [];
  const hub = {
    adminToken: SECRET,
    snapshot: {},
    processAction: async (action: string, target: string) => {
      calls.push(`${action} ${target}`);
    },
    refresh: async () => {},
  } as unknown as ConsoleHub;
  const loads: number[] = [];
  const app = createConsoleServer({
    secret: SECRET,
    hub: async () => {
      loads.push(1);
      return hub;
    },
    port: () => 4000,
  });
  return { app, calls, loads };
}

const kill = {
  method: 'POST' as const,
  url: '/api/processes',
  payload: { action: 'kill', target: 'inventory' },
};
const host = { host: '127.0.0.1:4000' };

describe('console gate', () => {
  it('refuses a mutating request without the secret and touches nothing', async () => {
    const { app, calls, loads } = server();
    for (const cookie of [undefined, 'lab_console=forged', `lab_console=${SECRET}`]) {
      const answer = await app.inject({ ...kill, headers: { ...host, ...(cookie ? { cookie } : {}) } });
      expect(answer.statusCode).toBe(401);
      expect(answer.json().error.code).toBe('E_UNAUTHORISED');
    }
    expect(calls).toEqual([]);
    expect(loads).toEqual([]);
  });

  it('trades the URL token for an HttpOnly SameSite=Strict cookie that opens the route', async () => {
    const { app, calls } = server();
    const landing = await app.inject({ url: `/?token=${SECRET}`, headers: host });
    expect(landing.statusCode).toBe(302);
    expect(landing.headers.location).toBe('/');
    const cookie = String(landing.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toContain(SECRET);
    const wrong = await app.inject({ url: '/?token=nope', headers: host });
    expect(wrong.headers['set-cookie']).toBeUndefined();
    const answer = await app.inject({ ...kill, headers: { ...host, cookie: cookie.split(';')[0]! } });
    expect(answer.statusCode).toBe(200);
    expect(calls).toEqual(['kill inventory']);
  });

  it('answers only under the loopback names of its port', async () => {
    const { app } = server();
    expect((await app.inject({ url: '/healthz', headers: { host: 'evil.example' } })).statusCode).toBe(403);
    expect((await app.inject({ url: '/healthz', headers: { host: 'localhost:4000' } })).statusCode).toBe(200);
  });

  it('serves browser modules from the client and component folders only', async () => {
    const { app } = server();
    const sequence = await app.inject({ url: '/m/report/components/sequence.ts', headers: host });
    expect(sequence.statusCode).toBe(200);
    expect(sequence.body).toContain('export function renderSequenceSvg');
    expect(sequence.body).not.toMatch(/import type/);
    for (const url of ['/m/ui/hub.ts', '/m/ui/client/../hub.ts', '/m/runtime/home-secrets.ts'])
      expect((await app.inject({ url, headers: host })).statusCode, url).toBe(404);
  });
});

describe('counters from /metrics', () => {
  const text = [
    '# HELP lab_inbox_duplicates_skipped_total x',
    'lab_inbox_duplicates_skipped_total{consumer="payment",topic="inventory"} 3',
    'lab_inbox_duplicates_skipped_total{consumer="payment",topic="orders"} 2',
    'lab_outbox_backlog 7',
    'lab_outbox_backlog_extra 100',
    'lab_outbox_publish_lag_seconds_sum 0.5',
    'lab_outbox_publish_lag_seconds_count 10',
  ].join('\n');

  it('sums every label set of a metric and no other metric', () => {
    expect(sumMetric(text, 'lab_inbox_duplicates_skipped_total')).toBe(5);
    expect(sumMetric(text, 'lab_outbox_backlog')).toBe(7);
  });

  it('derives the relay lag as the mean publish time', () => {
    expect(countersFrom('payment', text)).toMatchObject({
      duplicatesSkipped: 5,
      outboxBacklog: 7,
      relayLagMs: 50,
    });
    expect(countersFrom('order', '').relayLagMs).toBeNull();
  });

  it("reads the search projection's lag, and none where there is no projection", () => {
    const search = [
      'lab_projection_lag_events{service="search"} 42',
      'lab_projection_lag_seconds{service="search"} 3.5',
    ];
    expect(countersFrom('search', search.join('\n')).projectionLag).toEqual({ events: 42, seconds: 3.5 });
    expect(countersFrom('payment', text).projectionLag).toBeNull();
  });
});

describe('a lab chaos run from another shell', () => {
  it('is shown while its newest run has no result, with its phase and last lines', () => {
    const home = mkdtempSync(path.join(tmpdir(), 'lab-ui-runs-'));
    expect(liveChaosRun(home)).toBeNull();
    const older = path.join(home, 'runs', '20261203T100000Z-order-saga-s7-aaaa');
    const newer = path.join(home, 'runs', '20261203T110000Z-order-saga-s7-bbbb');
    for (const dir of [older, newer]) mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(older, 'run.log'), '2026-12-03T10:00:00.000Z phase checks\n');
    writeFileSync(
      path.join(newer, 'run.log'),
      '2026-12-03T11:00:00.000Z phase stack\n2026-12-03T11:00:01.000Z phase workload\n2026-12-03T11:00:02.000Z fault 0 (latency payment.db) started\n',
    );
    expect(liveChaosRun(home)).toEqual({
      id: '20261203T110000Z-order-saga-s7-bbbb',
      phase: 'workload',
      lines: ['fault 0 (latency payment.db) started'],
    });
    writeFileSync(path.join(newer, 'result.json'), '{}');
    expect(liveChaosRun(home)).toBeNull();
  });
});

describe('lab ui without a stack', () => {
  it('says no stack is running (E_NOT_RUNNING, exit 3) and starts no console', async () => {
    const home = mkdtempSync(path.join(tmpdir(), 'lab-ui-none-'));
    const result = await execa(
      process.execPath,
      [new URL('../bin/lab', import.meta.url).pathname, 'ui', '--no-open'],
      {
        reject: false,
        env: { LAB_HOME: home, CI: 'true' },
      },
    );
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('no lab stack is running');
    expect(existsSync(path.join(home, 'console.json'))).toBe(false);
  });
});
