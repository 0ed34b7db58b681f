/**
 * kcat -G (librdkafka's balanced consumer group) against the real broker: consumes a topic,
 * commits, resumes from its committed offsets, and two kcat members share the partitions.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import type { Admin } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { produce, range, startTestBroker, type TestBroker, waitFor } from './groups-support.ts';

const KCAT = '/usr/bin/kcat';
const TOPIC = 'kcat-orders';
const GROUP = 'kcat-group';

let broker: TestBroker;
let admin: Admin;
const children: ChildProcess[] = [];

beforeAll(async () => {
  broker = await startTestBroker();
  admin = broker.kafka('admin').admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: TOPIC, numPartitions: 3 }], waitForLeaders: true });
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await admin?.disconnect();
  await broker?.close();
});

/** librdkafka settings: start from the beginning when nothing is committed; short group timers */
const GROUP_ARGS = [
  '-X',
  'auto.offset.reset=earliest',
  '-X',
  'session.timeout.ms=6000',
  '-X',
  'heartbeat.interval.ms=500',
];

/** One kcat -G run that exits at the end of its partitions (-e); resolves with "value" lines. */
async function consumeToEnd(): Promise<string[]> {
  const { stdout } = await promisify(execFile)(
    KCAT,
    ['-b', broker.bootstrap, '-G', GROUP, ...GROUP_ARGS, '-e', '-q', '-f', '%s\n', TOPIC],
    { timeout: 30_000 },
  );
  return stdout.split('\n').filter((line) => line !== '');
}

/** A long-running kcat -G member; every consumed value goes to `onValue`. */
function spawnMember(group: string, topic: string, onValue: (value: string) => void): ChildProcess {
  const child = spawn(
    KCAT,
    ['-b', broker.bootstrap, '-G', group, ...GROUP_ARGS, '-u', '-q', '-f', '%s\n', topic],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  children.push(child);
  if (child.stdout === null) throw new Error('no stdout');
  createInterface({ input: child.stdout }).on('line', onValue);
  return child;
}

/** The group is Stable with `members` members, each holding some partition. */
async function stableWith(group: string, members: number): Promise<boolean> {
  const [described] = (await admin.describeGroups([group])).groups;
  return (
    described?.state === 'Stable' &&
    described.members.length === members &&
    described.members.every((m) => m.memberAssignment.length > 0)
  );
}

async function committedTotal(): Promise<number> {
  const [topic] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
  return (topic?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
}

describe.skipIf(!existsSync(KCAT))('kcat -G balanced consumer group', () => {
  it('consumes every message once, commits, and resumes after its committed offsets', async () => {
    const first = range('first', 50);
    await produce(broker.kafka('producer'), TOPIC, first);
    const consumed = await consumeToEnd();
    expect(consumed.sort()).toEqual([...first].sort());
    expect(await committedTotal()).toBe(50);

    const second = range('second', 10);
    await produce(broker.kafka('producer'), TOPIC, second);
    expect((await consumeToEnd()).sort()).toEqual([...second].sort());
    expect(await committedTotal()).toBe(60);
  }, 50_000);

  it('shares the partitions between two kcat members', async () => {
    const seen: { member: number; value: string }[] = [];
    for (const member of [1, 2]) spawnMember(GROUP, TOPIC, (value) => seen.push({ member, value }));
    await waitFor('two members hold all three partitions', () => stableWith(GROUP, 2), 40_000);
    const third = range('third', 60);
    await produce(broker.kafka('producer'), TOPIC, third);
    await waitFor(
      'both members together consumed the new batch',
      () => new Set(seen.map((s) => s.value)).size >= 60,
    );
    expect(new Set(seen.map((s) => s.value))).toEqual(new Set(third));
    expect(seen).toHaveLength(60);
    expect(new Set(seen.map((s) => s.member)).size).toBe(2);

    // SIGTERM: kcat closes its consumer (final commit + LeaveGroup); the group ends Empty
    for (const child of children) child.kill('SIGTERM');
    await waitFor(
      'the group is Empty',
      async () => (await admin.describeGroups([GROUP])).groups[0]?.state === 'Empty',
    );
    expect(await committedTotal()).toBe(120);
  }, 55_000);
  it('expires a SIGKILLed kcat member after its session timeout; the survivor takes over', async () => {
    const topic = 'kcat-payments';
    const group = 'kcat-kill-group';
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true });
    const seen: { member: number; value: string }[] = [];
    const doomed = spawnMember(group, topic, (value) => seen.push({ member: 1, value }));
    spawnMember(group, topic, (value) => seen.push({ member: 2, value }));
    await waitFor('two members hold a partition each', () => stableWith(group, 2), 40_000);

    const killedAt = Date.now();
    doomed.kill('SIGKILL');
    const batch = range('after-kill', 40);
    await produce(broker.kafka('producer'), topic, batch);
    await waitFor(
      'the survivor consumed everything',
      () => batch.every((v) => seen.some((s) => s.member === 2 && s.value === v)),
      40_000,
    );
    // the dead member's partition moved only once its 6 s session had passed
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(5000);
    expect(await stableWith(group, 1)).toBe(true);
  }, 55_000);
});
