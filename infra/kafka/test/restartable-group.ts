/**
 * A live kafkajs group (members a and b) on an in-process broker over a data dir, for the tests
 * that restart the broker under a running group: the broker comes back on the same address and
 * data, so the members reconnect by themselves, and a batch is awaited by its values (a
 * redelivery counts once). The group and the broker are stopped whatever the test's outcome.
 * Not a test file itself.
 */
import { type RunningBroker, startBroker } from '../broker.ts';
import {
  createTopic,
  type Delivery,
  kafkaClient,
  type Member,
  produce,
  range,
  startMembers,
  waitFor,
} from './groups-support.ts';

export interface RestartableGroup {
  /** The broker now running (a new one after each restartBroker()). */
  broker: RunningBroker;
  members: Member[];
  deliveries: Delivery[];
  /** Closes the broker and starts it again on the same port and data dir. */
  restartBroker(): Promise<void>;
  /** Produces `count` messages named `prefix-n` and waits until each was delivered at least once. */
  produceConsumed(prefix: string, count: number): Promise<void>;
}

export async function withRestartableGroup(
  options: { dataDir: string; topic: string; groupId: string; partitions: number },
  test: (group: RestartableGroup) => Promise<void>,
): Promise<void> {
  const { dataDir, topic, groupId } = options;
  const first = await startBroker({ dataDir });
  const port = first.listeners[0]?.port ?? 0;
  const bootstrap = `127.0.0.1:${port}`;
  const group: RestartableGroup = {
    broker: first,
    members: [],
    deliveries: [],
    async restartBroker() {
      await group.broker.close();
      group.broker = await startBroker({ dataDir, port });
    },
    async produceConsumed(prefix, count) {
      const batch = range(prefix, count);
      await produce(kafkaClient(bootstrap, 'producer'), topic, batch);
      await waitFor(`the ${prefix} batch is consumed`, () => {
        const seen = new Set(group.deliveries.map((delivery) => delivery.value));
        return batch.every((value) => seen.has(value));
      });
    },
  };
  try {
    await createTopic(kafkaClient(bootstrap, 'admin'), topic, options.partitions);
    const deliveries = group.deliveries;
    group.members.push(...(await startMembers(bootstrap, ['a', 'b'], { groupId, topic, deliveries })));
    await test(group);
  } finally {
    for (const member of group.members) await member.consumer.disconnect().catch(() => undefined);
    await group.broker.close();
  }
}
