/**
 * Membership across a broker restart (groups/membership-store.ts): a stable kafkajs group keeps
 * its members, generation and assignment, so after the restart it goes on consuming without a
 * rebalance (no new GROUP_JOIN), as it does across a Kafka coordinator failover.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GroupCoordinator } from '../groups/coordinator.ts';
import { waitFor } from './groups-support.ts';
import { withRestartableGroup } from './restartable-group.ts';

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
    await withRestartableGroup({ dataDir, topic: TOPIC, groupId: 'kept', partitions: 4 }, async (group) => {
      const { members } = group;
      await group.produceConsumed('before', 40);
      await waitFor('both members hold partitions', () =>
        members.every((member) => (member.assignments[member.assignments.length - 1] ?? []).length === 2),
      );
      const joinsBefore = members.map((member) => member.assignments.length);
      const groupBefore = generationOf(group.broker.core.coordinator, 'kept');
      expect(groupBefore.state).toBe('Stable');

      await group.restartBroker();
      expect(generationOf(group.broker.core.coordinator, 'kept')).toEqual(groupBefore);

      await group.produceConsumed('after', 40);
      expect(members.map((member) => member.assignments.length)).toEqual(joinsBefore);
      expect(generationOf(group.broker.core.coordinator, 'kept')).toEqual(groupBefore);
    });
  }, 60_000);
});
