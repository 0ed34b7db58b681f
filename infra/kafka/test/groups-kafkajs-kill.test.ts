/**
 * A member that dies (SIGKILL: no LeaveGroup, no more heartbeats) is expired after its session
 * timeout and the survivors take over its partitions: no message is lost. Redeliveries are
 * allowed only for what the dead member consumed without committing (at-least-once).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  createTopic,
  currentPartitions,
  type Delivery,
  deliveryCounts,
  FAST_GROUP,
  type Member,
  produce,
  range,
  startMember,
  startTestBroker,
  type TestBroker,
  waitFor,
} from './groups-support.ts';

const TOPIC = 'payments';
const GROUP = 'payment-workers';
const PARTITIONS = 6;

let broker: TestBroker;
const members: Member[] = [];
let child: ChildProcess | undefined;

beforeAll(async () => {
  broker = await startTestBroker();
  await createTopic(broker.kafka('setup'), TOPIC, PARTITIONS);
});

afterAll(async () => {
  child?.kill('SIGKILL');
  for (const member of members) await member.consumer.disconnect().catch(() => undefined);
  await broker?.close();
});

/** The third member, in a child process whose deliveries and assignments we read from stdout. */
function spawnMember(name: string, deliveries: Delivery[], assignments: number[][]): ChildProcess {
  const script = fileURLToPath(new URL('./groups-consumer-process.ts', import.meta.url));
  const proc = spawn(process.execPath, [script, broker.bootstrap, GROUP, TOPIC, name], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (proc.stdout === null) throw new Error('no stdout');
  createInterface({ input: proc.stdout }).on('line', (line) => {
    const event = JSON.parse(line) as {
      assigned?: number[];
      partition?: number;
      offset?: string;
      value?: string;
    };
    if (event.assigned) assignments.push(event.assigned);
    else
      deliveries.push({
        member: name,
        partition: event.partition ?? -1,
        offset: event.offset ?? '',
        value: event.value ?? '',
      });
  });
  return proc;
}

it('expires a SIGKILLed member after its session timeout; survivors take over, nothing lost', async () => {
  const deliveries: Delivery[] = [];
  const delivered = () => new Set(deliveries.map((d) => d.value));
  const kafka = broker.kafka('producer');
  const a = await startMember({
    kafka: broker.kafka('a'),
    name: 'a',
    groupId: GROUP,
    topic: TOPIC,
    deliveries,
  });
  members.push(a);
  const b = await startMember({
    kafka: broker.kafka('b'),
    name: 'b',
    groupId: GROUP,
    topic: TOPIC,
    deliveries,
  });
  members.push(b);
  const childAssignments: number[][] = [];
  child = spawnMember('c', deliveries, childAssignments);
  await waitFor(
    'a, b and c hold two partitions each',
    () =>
      currentPartitions(a).length === 2 &&
      currentPartitions(b).length === 2 &&
      childAssignments[childAssignments.length - 1]?.length === 2,
    40_000,
  );
  // produced once all three hold partitions, so the child gets its share to consume
  const first = range('first', 60);
  await produce(kafka, TOPIC, first);
  await waitFor('the first batch is consumed', () => first.every((v) => delivered().has(v)));
  const byChild = deliveries.filter((d) => d.member === 'c').length;

  const killedAt = Date.now();
  child.kill('SIGKILL');
  const second = range('second', 60);
  await produce(kafka, TOPIC, second);
  await waitFor(
    'a and b hold three partitions each',
    () => currentPartitions(a).length === 3 && currentPartitions(b).length === 3,
    30_000,
  );
  const takeoverMs = Date.now() - killedAt;
  await waitFor('the second batch is consumed', () => second.every((v) => delivered().has(v)));

  // nothing lost; the dead member's share went to the survivors, after (not before) its session ended
  expect([...first, ...second].every((v) => delivered().has(v))).toBe(true);
  expect(takeoverMs).toBeGreaterThanOrEqual(FAST_GROUP.sessionTimeout - 1000);
  expect(new Set([...currentPartitions(a), ...currentPartitions(b)]).size).toBe(PARTITIONS);
  const seenByChild = new Set(deliveries.filter((d) => d.member === 'c').map((d) => d.value));
  const redelivered = [...deliveryCounts(deliveries)]
    .filter(([, count]) => count > 1)
    .map(([value]) => value);
  expect(redelivered.every((value) => seenByChild.has(value))).toBe(true);
  expect(byChild).toBeGreaterThan(0);
}, 58_000);
