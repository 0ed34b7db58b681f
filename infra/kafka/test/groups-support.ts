/**
 * Shared by the consumer-group end-to-end tests (groups*.test.ts): a real broker with the group
 * coordinator, kafkajs clients with short timeouts, and polling instead of fixed sleeps.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Consumer, type EachMessagePayload, Kafka, logLevel } from 'kafkajs';
import { type RunningBroker, startBroker } from '../broker.ts';
import { groupCoordinatorFactory } from '../groups/index.ts';

export interface TestBroker {
  broker: RunningBroker;
  dataDir: string;
  bootstrap: string;
  kafka(clientId: string): Kafka;
  close(options?: { keepData?: boolean }): Promise<void>;
}

export async function startTestBroker(
  dataDir = mkdtempSync(join(tmpdir(), 'lab-groups-')),
): Promise<TestBroker> {
  const broker = await startBroker({ dataDir, groupCoordinator: groupCoordinatorFactory() });
  const bootstrap = `127.0.0.1:${broker.listeners[0]?.port}`;
  return {
    broker,
    dataDir,
    bootstrap,
    kafka: (clientId) => kafkaClient(bootstrap, clientId),
    close: async (options = {}) => {
      await broker.close();
      if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function kafkaClient(bootstrap: string, clientId: string): Kafka {
  return new Kafka({
    brokers: [bootstrap],
    clientId,
    logLevel: logLevel.NOTHING,
    retry: { initialRetryTime: 100, retries: 8 },
  });
}

/** Short enough for tests, long enough for two shared cores: Kafka's minimum session is 6 s. */
export const FAST_GROUP = {
  sessionTimeout: 6000,
  rebalanceTimeout: 5000,
  heartbeatInterval: 300,
  maxWaitTimeInMs: 200,
} as const;

export interface Delivery {
  member: string;
  partition: number;
  offset: string;
  value: string;
}

export interface Member {
  name: string;
  consumer: Consumer;
  /** partitions assigned at each GROUP_JOIN event, latest last */
  assignments: number[][];
}

export async function startMember(options: {
  kafka: Kafka;
  name: string;
  groupId: string;
  topic: string;
  deliveries: Delivery[];
  onMessage?: (payload: EachMessagePayload) => Promise<void>;
}): Promise<Member> {
  const consumer = options.kafka.consumer({ groupId: options.groupId, ...FAST_GROUP });
  const member: Member = { name: options.name, consumer, assignments: [] };
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    member.assignments.push([...(event.payload.memberAssignment[options.topic] ?? [])].sort((a, b) => a - b));
  });
  await consumer.connect();
  await consumer.subscribe({ topic: options.topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async (payload) => {
      options.deliveries.push({
        member: options.name,
        partition: payload.partition,
        offset: payload.message.offset,
        value: payload.message.value?.toString() ?? '',
      });
      await options.onMessage?.(payload);
    },
  });
  return member;
}

/** The partitions a member holds now (its latest assignment). */
export function currentPartitions(member: Member): number[] {
  return member.assignments[member.assignments.length - 1] ?? [];
}

export async function produce(kafka: Kafka, topic: string, values: string[]): Promise<void> {
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic, messages: values.map((value) => ({ key: value, value })) });
  } finally {
    await producer.disconnect();
  }
}

export function range(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, index) => `${prefix}-${index}`);
}

export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** value → how many times it was delivered */
export function deliveryCounts(deliveries: readonly Delivery[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const d of deliveries) counts.set(d.value, (counts.get(d.value) ?? 0) + 1);
  return counts;
}

/** Creates a topic and waits for its leaders, with an admin client of its own. */
export async function createTopic(kafka: Kafka, topic: string, numPartitions: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
}

/** Starts one member per name, one after another (each joins the group the previous ones formed). */
export async function startMembers(
  bootstrap: string,
  names: readonly string[],
  options: { groupId: string; topic: string; deliveries: Delivery[] },
): Promise<Member[]> {
  const members: Member[] = [];
  for (const name of names)
    members.push(await startMember({ kafka: kafkaClient(bootstrap, name), name, ...options }));
  return members;
}
