/**
 * Each fault kind has a measurable effect, and healing undoes it. Real pieces throughout: the lab's
 * fault proxy and broker run as processes of a LocalRuntime (in a temporary LAB_HOME), next to a
 * small kafkajs consumer process standing in for a service (consumer group `payment`), so kill,
 * pause, restart, broker_restart, poison and redeliver act on real processes and a real group.
 * duplicate and relay_crash need the shop's services: the end-to-end suite covers them.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FAULT_KINDS, faultDefinition } from '../cli/chaos/faults/index.ts';
import { createProxyClient } from '../cli/chaos/faults/proxy.ts';
import type { ActiveFault, FaultContext } from '../cli/chaos/faults/types.ts';
import { parseScenario } from '../cli/chaos/loader.ts';
import { createRandom } from '../cli/chaos/random.ts';
import type { Fault } from '../cli/chaos/schema.ts';
import { type Component, labInfraComponent, REPO_ROOT } from '../cli/runtime/local/component.ts';
import { LocalRuntime } from '../cli/runtime/local/local-runtime.ts';
import type { Endpoints } from '../cli/runtime/types.ts';
import { echoUpstream, RecordingClient, type Upstream } from '../infra/fault-proxy/test-support.ts';

const TOPIC = 'inventory';
let home: string;
let runtime: LocalRuntime;
let endpoints: Endpoints;
let echo: Upstream;
let kafka: Kafka;
const decisions: Record<string, unknown>[] = [];
let consumedFile: string;

/** A service stand-in: consumer group `payment` on `inventory`, appending each value to a file; /health once joined. */
function consumerScript(): string {
  return `
import { createRequire } from 'node:module';
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
const require = createRequire(${JSON.stringify(path.join(REPO_ROOT, 'package.json'))});
const { Kafka, logLevel } = require('kafkajs');
const kafka = new Kafka({ clientId: 'standin', brokers: [process.env.BROKER], logLevel: logLevel.NOTHING });
const consumer = kafka.consumer({ groupId: 'payment', sessionTimeout: 6000, heartbeatInterval: 500, maxWaitTimeInMs: 1000 });
let joined = false;
consumer.on(consumer.events.GROUP_JOIN, () => { joined = true; });
await consumer.connect();
await consumer.subscribe({ topic: '${TOPIC}', fromBeginning: true });
await consumer.run({ eachMessage: async ({ message }) => appendFileSync(process.env.OUT, message.value.toString() + '\\n') });
createServer((req, res) => { res.statusCode = joined ? 200 : 503; res.end(); }).listen(Number(process.env.PORT), '127.0.0.1');
process.on('SIGTERM', async () => { await consumer.disconnect().catch(() => {}); process.exit(0); });
`;
}

function components(scriptFile: string): Component[] {
  const broker = labInfraComponent({
    name: 'kafka',
    order: 1,
    ports: ['main'],
    args: (ctx) => ['--data-dir', ctx.dataDir('kafka')],
    health: { tcp: 'main' },
    endpoints: (ctx) => ({ brokerBootstrap: `127.0.0.1:${ctx.port('kafka')}` }),
  });
  const proxy = labInfraComponent({
    name: 'fault-proxy',
    order: 1,
    ports: ['api'],
    args: () => ['--seed', '1'],
    health: { tcp: 'api' },
    endpoints: (ctx) => ({ faultProxyUrl: `http://127.0.0.1:${ctx.port('fault-proxy')}` }),
  });
  const payment: Component = {
    name: 'payment',
    kind: 'service',
    order: 2,
    ports: ['http'],
    launch: (ctx) => ({
      command: process.execPath,
      args: [scriptFile],
      env: { BROKER: `127.0.0.1:${ctx.port('kafka')}`, OUT: consumedFile, PORT: String(ctx.port('payment')) },
    }),
    health: (ctx) => ({ type: 'http', url: `http://127.0.0.1:${ctx.port('payment')}/health` }),
  };
  return [broker, proxy, payment];
}

/** Parses one fault entry the way a scenario file would give it. */
function fault(entry: string): Fault {
  const source = `name: t\ndescription: d\nsetup: { customers: 1, balance: 1, products: [{ sku: a, price: 1, stock: 1 }] }\nworkload: { orders: 1, rate: 1/s }\nfaults:\n  - ${entry}\n`;
  const parsed = parseScenario(source, 'fault.yaml');
  if (!parsed.scenario) throw new Error(JSON.stringify(parsed.problems));
  return parsed.scenario.faults[0]!;
}

function context(index = 0): FaultContext {
  return {
    runtime,
    endpoints,
    adminToken: 'unused',
    proxy: createProxyClient(endpoints.faultProxyUrl),
    kafka: () => kafka,
    random: createRandom(5).fork(`fault:${index}`),
    decide: (decision) => decisions.push(decision),
    log: () => {},
    signal: new AbortController().signal,
    index,
  };
}

async function start(entry: string, index = 0): Promise<ActiveFault & { endsAfterMs?: number }> {
  const parsed = fault(entry);
  const definition = faultDefinition(parsed.kind);
  const active = await definition.apply(parsed.options, context(index));
  return { ...active, endsAfterMs: definition.endsAfterMs?.(parsed.options) };
}

async function stateOf(name: string) {
  return (await runtime.status()).processes.find((process) => process.name === name);
}

/** A link named like a stack link, from the fault proxy to an echo server. */
async function createLink(name: string): Promise<number> {
  const response = await fetch(`${endpoints.faultProxyUrl}/proxies`, {
    method: 'POST',
    body: JSON.stringify({ name, listen: '127.0.0.1:0', upstream: echo.address, enabled: true }),
  });
  const body = (await response.json()) as { listen: string };
  return Number(body.listen.split(':').pop());
}

/** A fresh link with a `kind` fault on it (at 0s, with `options`), and a client connecting through it. */
async function clientUnderFault(kind: string, link: string, options = '') {
  const port = await createLink(link);
  const active = await start(`{ at: 0s, ${kind}: { link: ${link}${options ? `, ${options}` : ''} } }`);
  return { port, active, client: new RecordingClient(port) };
}

async function roundTripMs(port: number): Promise<number> {
  const client = new RecordingClient(port);
  await client.connected;
  try {
    return await client.roundTrip('ping');
  } finally {
    client.socket.destroy();
  }
}

function consumed(): string[] {
  try {
    return readFileSync(consumedFile, 'utf8').trim().split('\n').filter(Boolean);
  } catch {
    return [];
  }
}

async function waitFor(condition: () => boolean | Promise<boolean>, deadlineMs = 30_000): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(100);
  }
}

beforeAll(async () => {
  home = mkdtempSync(path.join(tmpdir(), 'lab-chaos-faults-'));
  consumedFile = path.join(home, 'consumed.txt');
  const scriptFile = path.join(home, 'standin.mjs');
  writeFileSync(scriptFile, consumerScript());
  echo = await echoUpstream();
  // The consumer subscribes at start: the topic must exist first, so the broker starts alone once.
  runtime = new LocalRuntime({ home, components: components(scriptFile), startDeadlineMs: 60_000 });
  endpoints = await runtime.up({ without: [] });
  kafka = new Kafka({ clientId: 'test', brokers: [endpoints.brokerBootstrap], logLevel: logLevel.NOTHING });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic: TOPIC,
    messages: ['one', 'two', 'three'].map((value) => ({ key: value, value })),
  });
  await producer.disconnect();
  await waitFor(() => consumed().length === 3);
}, 180_000);

afterAll(async () => {
  await runtime?.down({ purge: true }).catch(() => {});
  await echo?.close();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe('network faults through the fault proxy', () => {
  it('latency slows every round trip on the link, heal restores it', async () => {
    const port = await createLink('payment.db');
    expect(await roundTripMs(port)).toBeLessThan(150);
    const active = await start('{ at: 0s, latency: { link: payment.db, ms: 400 } }');
    expect(await roundTripMs(port)).toBeGreaterThanOrEqual(380);
    await active.heal();
    await active.heal(); // idempotent
    expect(await roundTripMs(port)).toBeLessThan(150);
  });

  it('down refuses connections, heal enables the link again', async () => {
    const { port, active, client } = await clientUnderFault('down', 'order.kafka');
    await expect(client.connected).rejects.toThrow();
    await active.heal();
    expect(await roundTripMs(port)).toBeLessThan(150);
  });

  it('timeout stops data and closes after the timeout', async () => {
    const { port, active, client } = await clientUnderFault('timeout', 'inventory.db', 'timeout: 300ms');
    await client.connected;
    client.socket.write('ping');
    const closed = await client.closed;
    expect(client.received.length).toBe(0);
    expect(closed.at).toBeGreaterThan(0);
    await active.heal();
    expect(await roundTripMs(port)).toBeLessThan(150);
  });

  it('reset_peer resets the connection', async () => {
    const { active, client } = await clientUnderFault('reset_peer', 'shipping.db', 'timeout: 0');
    await client.connected.catch(() => {});
    client.socket.write('ping');
    const closed = await client.closed;
    expect(closed.errorCode).toBe('ECONNRESET');
    await active.heal();
  });

  it('limit_data closes the connection after the byte budget', async () => {
    const { active, client } = await clientUnderFault('limit_data', 'catalog.db', 'bytes: 10');
    await client.connected;
    client.socket.write('x'.repeat(100));
    await client.closed;
    expect(client.received.length).toBeLessThanOrEqual(10);
    await active.heal();
  });

  it('slicer delivers data in many small pieces', async () => {
    const { active, client } = await clientUnderFault('slicer', 'auth.db', 'average_size: 4, delay: 1000');
    await client.connected;
    client.socket.write('y'.repeat(200));
    await client.receive(200);
    expect(client.chunks.length).toBeGreaterThan(10);
    client.socket.destroy();
    await active.heal();
  });

  it('bandwidth limits the transfer rate', async () => {
    const { active, client } = await clientUnderFault('bandwidth', 'payment.kafka', 'rate: 20');
    await client.connected;
    const started = performance.now();
    client.socket.write('z'.repeat(20 * 1024));
    await client.receive(20 * 1024, 20_000);
    expect(performance.now() - started).toBeGreaterThan(600);
    client.socket.destroy();
    await active.heal();
  });

  it('slow_close delays the close', async () => {
    const { active, client } = await clientUnderFault('slow_close', 'inventory.kafka', 'delay: 500ms');
    await client.connected;
    await client.roundTrip('hi');
    const upstreamSocket = echo.sockets.at(-1)!;
    const closing = performance.now();
    upstreamSocket.end();
    const closed = await client.closed;
    expect(closed.at - closing).toBeGreaterThanOrEqual(400);
    await active.heal();
  });
});

describe('process faults through the runtime', () => {
  it('kill stops the process; heal restarts it', async () => {
    const before = await stateOf('payment');
    const active = await start('{ at: 0s, kill: { service: payment, restart_after: 1s } }');
    expect(active.endsAfterMs).toBe(1000);
    expect((await stateOf('payment'))?.state).not.toBe('running');
    await active.heal();
    const after = await stateOf('payment');
    expect(after).toMatchObject({ state: 'running', healthy: true });
    expect(after?.pid).not.toBe(before?.pid);
  });

  it('pause stops the process answering; heal resumes it', async () => {
    const active = await start('{ at: 0s, for: 1s, pause: { service: payment } }');
    expect((await stateOf('payment'))?.state).toBe('paused');
    await active.heal();
    expect((await stateOf('payment'))?.state).toBe('running');
  });

  it('restart gives a new process', async () => {
    const before = (await stateOf('payment'))?.pid;
    await start('{ at: 0s, restart: { service: payment } }');
    expect(await stateOf('payment')).toMatchObject({ state: 'running', healthy: true });
    expect((await stateOf('payment'))?.pid).not.toBe(before);
  });
});

describe('broker faults', () => {
  it('poison puts malformed events on the topic, decided by the seed', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const before = (await admin.fetchTopicOffsets(TOPIC)).reduce(
      (sum, partition) => sum + Number(partition.high),
      0,
    );
    await start('{ at: 0s, poison: { topic: inventory, count: 3 } }', 7);
    const after = (await admin.fetchTopicOffsets(TOPIC)).reduce(
      (sum, partition) => sum + Number(partition.high),
      0,
    );
    await admin.disconnect();
    expect(after - before).toBe(3);
    const poisons = decisions.filter((decision) => decision.kind === 'poison');
    expect(poisons).toHaveLength(3);
    // The same seed and fault index choose the same poisons.
    const again = createRandom(5).fork('fault:7');
    expect(poisons.map((decision) => decision.poison)).toEqual(
      [0, 1, 2].map(() => again.pick(['not-json', 'wrong-shape', 'missing-fields', 'binary'])),
    );
  });

  it('redeliver rewinds the consumer group: the service receives the events again', async () => {
    await waitFor(() => consumed().length >= 6); // 3 events + 3 poisons
    const seen = consumed().length;
    const brokerLog = path.join(runtime.logDir, 'kafka.log');
    const logged = readFileSync(brokerLog, 'utf8').length;
    const active = await start(
      '{ at: 0s, redeliver: { service: payment, topic: inventory, rewind: all } }',
      8,
    );
    // The service is stopped cleanly, so its consumer leaves the group at once: the rewind does not
    // wait out the member's session as it would after a SIGKILL.
    const removals = readFileSync(brokerLog, 'utf8')
      .slice(logged)
      .split('\n')
      .filter((line) => line.includes('"group":"payment"') && line.includes('member removed'));
    expect(removals.some((line) => line.includes('left the group'))).toBe(true);
    expect(removals.filter((line) => line.includes('session timed out'))).toEqual([]);
    await waitFor(() => consumed().length >= seen * 2, 60_000);
    expect(consumed().filter((value) => value === 'one')).toHaveLength(2);
    expect(decisions.find((decision) => decision.kind === 'redeliver')).toMatchObject({
      group: 'payment',
      topic: TOPIC,
    });
    await active.heal();
    expect((await stateOf('payment'))?.state).toBe('running');
  }, 120_000);

  it('broker_restart takes the broker away until healed', async () => {
    const active = await start('{ at: 0s, broker_restart: { down: 1s } }');
    expect(active.endsAfterMs).toBe(1000);
    expect((await stateOf('kafka'))?.state).not.toBe('running');
    await active.heal();
    expect(await stateOf('kafka')).toMatchObject({ state: 'running', healthy: true });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: TOPIC, messages: [{ value: 'after-restart' }] });
    await producer.disconnect();
    await waitFor(() => consumed().includes('after-restart'), 60_000);
  }, 120_000);
});

describe('fault module registry', () => {
  it('has a module for every fault kind', () => {
    const kinds = [...FAULT_KINDS];
    expect(kinds.sort()).toEqual(
      [
        'latency',
        'bandwidth',
        'slow_close',
        'timeout',
        'reset_peer',
        'slicer',
        'limit_data',
        'down',
        'kill',
        'pause',
        'restart',
        'duplicate',
        'redeliver',
        'relay_crash',
        'poison',
        'broker_restart',
        'db_crash',
        'http_error',
        'partition',
        'pause_projection',
      ].sort(),
    );
  });
});
