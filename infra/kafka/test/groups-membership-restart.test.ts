/**
 * Membership across a broker restart (groups/membership-store.ts): a stable kafkajs group keeps
 * its members, generation and assignment, so after the restart it goes on consuming without a
 * rebalance (no new GROUP_JOIN), as it does across a Kafka coordinator failover.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startBroker } from '../broker.ts';
import { GroupCoordinator } from '../groups/coordinator.ts';
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

process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const TOPIC = 'kept-members';
const dataDir = mkdtempSync(join(tmpdir(), 'lab-groups-membership-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

function generationOf(coordinator: unknown, groupId: string): { state: string; members: string[] } {
  if (!(coordinator instanceof GroupCoordinator)) throw new Error('no group coordinator');
  const description = coordinator.describeGroup(groupId);
  return { state: description.state, members: description.members.map((m) => m.memberId).sort() };
}

describe('a stable kafkajs group across a broker restart', () => {
  it('keeps its members and assignment: consumption goes on without a rebalance', async () => {
    let broker = await startBroker({ dataDir });
    const port = broker.listeners[0]?.port ?? 0;
    const bootstrap = `127.0.0.1:${port}`;
    const members: Member[] = [];
    try {
      await createTopic(kafkaClient(bootstrap, 'admin'), TOPIC, 4);
      const deliveries: Delivery[] = [];
      members.push(
        ...(await startMembers(bootstrap, ['a', 'b'], { groupId: 'kept', topic: TOPIC, deliveries })),
      );
      await produce(kafkaClient(bootstrap, 'producer'), TOPIC, range('before', 40));
      await waitFor('the first batch is consumed', () => new Set(deliveries.map((d) => d.value)).size === 40);
      await waitFor('both members hold partitions', () =>
        members.every((member) => (member.assignments[member.assignments.length - 1] ?? []).length === 2),
      );
      const joinsBefore = members.map((member) => member.assignments.length);
      const groupBefore = generationOf(broker.core.coordinator, 'kept');
      expect(groupBefore.state).toBe('Stable');

      await broker.close();
      broker = await startBroker({ dataDir, port });
      expect(generationOf(broker.core.coordinator, 'kept')).toEqual(groupBefore);

      const after = range('after', 40);
      await produce(kafkaClient(bootstrap, 'producer'), TOPIC, after);
      await waitFor('the second batch is consumed', () => {
        const seen = new Set(deliveries.map((d) => d.value));
        return after.every((value) => seen.has(value));
      });
      expect(members.map((member) => member.assignments.length)).toEqual(joinsBefore);
      expect(generationOf(broker.core.coordinator, 'kept')).toEqual(groupBefore);
    } finally {
      for (const member of members) await member.consumer.disconnect().catch(() => undefined);
      await broker.close();
    }
  }, 60_000);
});
