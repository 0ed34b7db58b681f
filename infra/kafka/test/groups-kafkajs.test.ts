/**
 * A kafkajs consumer group of three members over TCP against the real broker: members join one
 * by one and leave cleanly; every message is delivered exactly once across those rebalances
 * (kafkajs commits before it rejoins). Then the admin API: listGroups, describeGroups,
 * fetchOffsets, setOffsets and resetOffsets.
 */
import { AssignerProtocol } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTopic,
  currentPartitions,
  type Delivery,
  deliveryCounts,
  type Member,
  produce,
  range,
  startMember,
  startTestBroker,
  type TestBroker,
  waitFor,
} from './groups-support.ts';

const TOPIC = 'orders';
const GROUP = 'order-workers';
const PARTITIONS = 6;

let broker: TestBroker;
const members: Member[] = [];

beforeAll(async () => {
  broker = await startTestBroker();
  await createTopic(broker.kafka('setup'), TOPIC, PARTITIONS);
});

afterAll(async () => {
  for (const member of members) await member.consumer.disconnect().catch(() => undefined);
  await broker?.close();
});

describe('kafkajs consumer group', () => {
  const deliveries: Delivery[] = [];
  const join = async (name: string) => {
    const member = await startMember({
      kafka: broker.kafka(name),
      name,
      groupId: GROUP,
      topic: TOPIC,
      deliveries,
    });
    members.push(member);
    return member;
  };
  const delivered = () => new Set(deliveries.map((d) => d.value));
  /** every member's latest assignment, and together they cover every partition exactly once */
  const balancedOver = (group: Member[]) => {
    const held = group.flatMap(currentPartitions).sort((a, b) => a - b);
    const even = group.every((m) => currentPartitions(m).length === PARTITIONS / group.length);
    return even && JSON.stringify(held) === JSON.stringify(range('', PARTITIONS).map((_, i) => i));
  };

  it('rebalances as three members join and one leaves, delivering every message exactly once', async () => {
    const kafka = broker.kafka('producer');
    const first = range('first', 60);
    await produce(kafka, TOPIC, first);
    const a = await join('a');
    await waitFor('a consumes the first batch', () => first.every((v) => delivered().has(v)));
    expect(currentPartitions(a)).toHaveLength(PARTITIONS);

    const b = await join('b');
    const c = await join('c');
    await waitFor('a, b and c share the partitions', () => balancedOver([a, b, c]), 40_000);
    const second = range('second', 60);
    await produce(kafka, TOPIC, second);
    await waitFor('the second batch is consumed', () => second.every((v) => delivered().has(v)));
    const secondBy = new Set(deliveries.filter((d) => d.value.startsWith('second')).map((d) => d.member));
    expect(secondBy.size).toBeGreaterThan(1);

    // a leaves cleanly (commit + LeaveGroup): b and c take over its partitions at once
    await a.consumer.disconnect();
    members.splice(members.indexOf(a), 1);
    await waitFor('b and c share all partitions', () => balancedOver([b, c]), 40_000);
    const third = range('third', 60);
    await produce(kafka, TOPIC, third);
    await waitFor('the third batch is consumed', () => third.every((v) => delivered().has(v)));
    expect(deliveries.filter((d) => d.value.startsWith('third')).every((d) => d.member !== 'a')).toBe(true);

    const duplicates = [...deliveryCounts(deliveries)].filter(([, count]) => count > 1);
    expect(duplicates).toEqual([]);
    expect(deliveries).toHaveLength(180);
  }, 55_000);

  it('delivers exactly once while messages keep flowing through joins and clean leaves', async () => {
    const topic = 'orders-flowing';
    const groupId = 'flowing-workers';
    await createTopic(broker.kafka('setup'), topic, PARTITIONS);

    const flowing: Delivery[] = [];
    const producer = broker.kafka('flow-producer').producer();
    await producer.connect();
    const sent: string[] = [];
    let producing = true;
    const production = (async () => {
      for (let batch = 0; producing; batch++) {
        const values = range(`flow${batch}`, 5);
        await producer.send({ topic, messages: values.map((value) => ({ key: value, value })) });
        sent.push(...values);
        await new Promise((resolve) => setTimeout(resolve, 40));
      }
    })();
    const flowMember = async (name: string) => {
      const member = await startMember({
        kafka: broker.kafka(name),
        name,
        groupId,
        topic,
        deliveries: flowing,
      });
      members.push(member);
      return member;
    };
    const leave = async (member: Member) => {
      await member.consumer.disconnect();
      members.splice(members.indexOf(member), 1);
    };
    const consumedAll = () => {
      const seen = new Set(flowing.map((d) => d.value));
      return sent.every((v) => seen.has(v));
    };

    const a = await flowMember('fa');
    await waitFor('fa consumes', () => flowing.length > 20);
    const b = await flowMember('fb');
    await waitFor('fa and fb share', () => balancedOver([a, b]), 40_000);
    const c = await flowMember('fc');
    await waitFor('fa, fb and fc share', () => balancedOver([a, b, c]), 40_000);
    await leave(a);
    await waitFor('fb and fc share', () => balancedOver([b, c]), 40_000);
    await leave(b);
    await waitFor('fc holds everything', () => balancedOver([c]), 40_000);
    producing = false;
    await production;
    await producer.disconnect();
    await waitFor('everything sent is consumed', consumedAll, 20_000);

    const duplicates = [...deliveryCounts(flowing)].filter(([, count]) => count > 1);
    expect(duplicates).toEqual([]);
    expect(new Set(flowing.map((d) => d.member))).toEqual(new Set(['fa', 'fb', 'fc']));
    expect(flowing).toHaveLength(sent.length);
    await leave(c);
  }, 55_000);

  it('shows the group to the admin API: listGroups, describeGroups, fetchOffsets', async () => {
    const admin = broker.kafka('admin').admin();
    await admin.connect();
    try {
      const { groups } = await admin.listGroups();
      expect(groups).toContainEqual({ groupId: GROUP, protocolType: 'consumer' });

      await waitFor('the group is Stable', async () => {
        const described = await admin.describeGroups([GROUP]);
        return described.groups[0]?.state === 'Stable';
      });
      const [group] = (await admin.describeGroups([GROUP])).groups;
      expect(group).toMatchObject({
        groupId: GROUP,
        state: 'Stable',
        protocolType: 'consumer',
        protocol: 'RoundRobinAssigner',
      });
      expect(group?.members.map((m) => m.clientId).sort()).toEqual(['b', 'c']);
      const assigned = (group?.members ?? []).flatMap((m) => {
        const assignment = AssignerProtocol.MemberAssignment.decode(m.memberAssignment);
        expect(m.clientHost).toBe('/127.0.0.1');
        return assignment?.assignment[TOPIC] ?? [];
      });
      expect(assigned.sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5]);

      // every message consumed: the committed offsets add up to all 180
      await waitFor('offsets committed up to the end', async () => {
        const [topic] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
        return (topic?.partitions ?? []).reduce((sum, p) => sum + Number(p.offset), 0) === 180;
      });
    } finally {
      await admin.disconnect();
    }
  });

  it('lets the admin set, reset and delete an empty group; the next consumer honours the offsets', async () => {
    for (const member of members.splice(0)) await member.consumer.disconnect();
    const admin = broker.kafka('admin').admin();
    await admin.connect();
    try {
      await waitFor(
        'the group is Empty',
        async () => (await admin.describeGroups([GROUP])).groups[0]?.state === 'Empty',
      );

      await admin.setOffsets({ groupId: GROUP, topic: TOPIC, partitions: [{ partition: 0, offset: '1' }] });
      const [afterSet] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
      expect(afterSet?.partitions.find((p) => p.partition === 0)?.offset).toBe('1');

      await admin.resetOffsets({ groupId: GROUP, topic: TOPIC, earliest: true });
      const [afterReset] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
      // kafkajs commits the sentinel -2 (earliest); consumers resolve it with ListOffsets
      expect(afterReset?.partitions.map((p) => p.offset)).toEqual(Array(PARTITIONS).fill('-2'));

      // rewound: a new member of the group gets all 180 messages again
      const replay: Delivery[] = [];
      const d = await startMember({
        kafka: broker.kafka('d'),
        name: 'd',
        groupId: GROUP,
        topic: TOPIC,
        deliveries: replay,
      });
      members.push(d);
      await waitFor('d replays everything', () => replay.length >= 180);
      expect(new Set(replay.map((r) => r.value)).size).toBe(180);

      // and an active group refuses setOffsets (kafkajs checks the group is Empty first)
      await expect(
        admin.setOffsets({ groupId: GROUP, topic: TOPIC, partitions: [{ partition: 0, offset: '0' }] }),
      ).rejects.toThrow(/no running instances/);
      await expect(admin.deleteGroups([GROUP])).rejects.toThrow();

      // once its last member left, the group can be deleted, offsets included
      for (const member of members.splice(0)) await member.consumer.disconnect();
      await waitFor(
        'the group is Empty again',
        async () => (await admin.describeGroups([GROUP])).groups[0]?.state === 'Empty',
      );
      expect(await admin.deleteGroups([GROUP])).toEqual([
        expect.objectContaining({ groupId: GROUP, errorCode: 0 }),
      ]);
      expect((await admin.listGroups()).groups.map((g) => g.groupId)).not.toContain(GROUP);
      const [afterDelete] = await admin.fetchOffsets({ groupId: GROUP, topics: [TOPIC] });
      expect(afterDelete?.partitions.map((p) => p.offset)).toEqual(Array(PARTITIONS).fill('-1'));
    } finally {
      await admin.disconnect();
    }
  }, 40_000);
});
