/**
 * Committed offsets survive the broker: the standalone broker (`lab infra kafka`'s code, started
 * by groups-broker-process.ts) is stopped cleanly (SIGTERM) or killed (SIGKILL) and restarted on
 * the same data dir; the group's offsets are still there and its next
 * consumer resumes after them instead of replaying.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Kafka } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { startBroker } from '../broker.ts';
import {
  createTopic,
  type Delivery,
  kafkaClient,
  type Member,
  produce,
  range,
  startMember,
  startMembers,
  waitFor,
} from './groups-support.ts';

const BROKER_SCRIPT = fileURLToPath(new URL('./groups-broker-process.ts', import.meta.url));
const TOPIC = 'ledger';

const dataDirs: string[] = [];
const brokers: ChildProcess[] = [];

afterAll(() => {
  for (const broker of brokers) broker.kill('SIGKILL');
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

/** The broker in a child process on a free port; resolves with its bootstrap address. */
async function startBrokerProcess(dataDir: string): Promise<{ proc: ChildProcess; bootstrap: string }> {
  const proc = spawn(process.execPath, [BROKER_SCRIPT, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
  brokers.push(proc);
  if (proc.stdout === null) throw new Error('no stdout');
  const lines = createInterface({ input: proc.stdout });
  const bootstrap = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('broker did not report its listeners')), 20_000);
    lines.on('line', (line) => {
      const entry = JSON.parse(line) as { listeners?: { host: string; port: number }[] };
      const main = entry.listeners?.[0];
      if (main) {
        clearTimeout(timer);
        resolve(`${main.host}:${main.port}`);
      }
    });
    proc.once('exit', (code) => reject(new Error(`broker exited (${code}) before listening`)));
  });
  return { proc, bootstrap };
}

function stop(proc: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill(signal);
  });
}

async function committed(kafka: Kafka, groupId: string): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [topic] = await admin.fetchOffsets({ groupId, topics: [TOPIC] });
    return (topic?.partitions ?? []).sort((a, b) => a.partition - b.partition).map((p) => p.offset);
  } finally {
    await admin.disconnect();
  }
}

const total = (offsets: string[]) => offsets.reduce((sum, o) => sum + Number(o), 0);

describe.each(['SIGTERM', 'SIGKILL'] as const)('committed offsets across a broker %s', (signal) => {
  it('are still there after the restart and the group resumes after them', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lab-groups-restart-'));
    dataDirs.push(dataDir);
    const groupId = `ledger-${signal.toLowerCase()}`;

    const before = await startBrokerProcess(dataDir);
    let kafka = kafkaClient(before.bootstrap, 'restart-test');
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3 }], waitForLeaders: true });
    await produce(kafka, TOPIC, range('before', 30));

    const deliveries: Delivery[] = [];
    const first = await startMember({ kafka, name: 'first', groupId, topic: TOPIC, deliveries });
    await waitFor('30 offsets committed', async () => total(await committed(kafka, groupId)) === 30);
    await first.consumer.disconnect();
    // acknowledged commits, the last one by the member's clean leave just before the stop
    const offsetsBefore = await committed(kafka, groupId);
    expect(total(offsetsBefore)).toBe(30);
    await admin.disconnect();
    await stop(before.proc, signal);

    const after = await startBrokerProcess(dataDir);
    kafka = kafkaClient(after.bootstrap, 'restart-test');
    expect(await committed(kafka, groupId)).toEqual(offsetsBefore);

    // the next member of the group continues after the committed offsets: only the new messages
    const later = range('after', 5);
    await produce(kafka, TOPIC, later);
    const resumed: Delivery[] = [];
    const second = await startMember({ kafka, name: 'second', groupId, topic: TOPIC, deliveries: resumed });
    await waitFor('the new messages are consumed', () => resumed.length >= 5);
    await new Promise((resolve) => setTimeout(resolve, 500)); // nothing old trickles in after them
    expect(resumed.map((d) => d.value).sort()).toEqual([...later].sort());
    await second.consumer.disconnect();
    await stop(after.proc, 'SIGTERM');
  }, 55_000);
});

describe('a live kafkajs group across a broker restart', () => {
  it('rejoins the restarted broker and loses nothing (redeliveries allowed: at-least-once)', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lab-groups-live-'));
    dataDirs.push(dataDir);
    let broker = await startBroker({ dataDir });
    const port = broker.listeners[0]?.port ?? 0;
    const bootstrap = `127.0.0.1:${port}`;
    const members: Member[] = [];
    try {
      await createTopic(kafkaClient(bootstrap, 'admin'), TOPIC, 4);
      const deliveries: Delivery[] = [];
      members.push(
        ...(await startMembers(bootstrap, ['a', 'b'], { groupId: 'live', topic: TOPIC, deliveries })),
      );
      const before = range('before', 40);
      await produce(kafkaClient(bootstrap, 'producer'), TOPIC, before);
      await waitFor('the first batch is consumed', () => new Set(deliveries.map((d) => d.value)).size === 40);

      await broker.close();
      broker = await startBroker({ dataDir, port }); // same address: the clients reconnect by themselves
      const after = range('after', 40);
      await produce(kafkaClient(bootstrap, 'producer'), TOPIC, after);
      await waitFor('the second batch is consumed', () => {
        const seen = new Set(deliveries.map((d) => d.value));
        return after.every((v) => seen.has(v));
      });
      expect(new Set(deliveries.map((d) => d.value)).size).toBe(80);
    } finally {
      for (const member of members) await member.consumer.disconnect().catch(() => undefined);
      await broker.close();
    }
  }, 55_000);
});
