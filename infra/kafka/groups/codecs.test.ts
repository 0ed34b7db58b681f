import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiKey } from '../protocol/api-keys.ts';
import type { RequestContext } from '../protocol/context.ts';
import { throughKafkajs } from '../test-support/kafkajs-codecs.ts';
import { groupApiVersions } from './apis.ts';
import { GroupCoordinator } from './coordinator.ts';
import { OffsetStore } from './offset-store.ts';

const coordinator = new GroupCoordinator({ offsets: new OffsetStore(null), minSessionTimeoutMs: 1 });
afterAll(() => coordinator.close());

function context(apiKey: number, apiVersion: number): RequestContext {
  return {
    header: { apiKey, apiVersion, correlationId: 1, clientId: 'codec-test', flexible: false },
    listener: {
      name: 'default',
      host: '127.0.0.1',
      port: 9092,
      advertisedHost: 'broker.test',
      advertisedPort: 19092,
    },
    connection: { id: 1, remoteAddress: '::ffff:127.0.0.1:50123', clientId: 'codec-test' },
    logger: pino({ level: 'silent' }),
    nodeId: 7,
    clusterId: 'cluster',
    topics: { names: () => ['t'], partitionCount: () => 3 },
    coordinator,
    broker: undefined as unknown as RequestContext['broker'], // group handlers never touch it
    signal: new AbortController().signal,
  };
}

/** kafkajs request → our handler → kafkajs-decoded response */
function call(name: string, version: number, args: object): Promise<Record<string, unknown>> {
  return throughKafkajs(name, version, args, {
    handler: (apiKey, apiVersion) =>
      groupApiVersions.find((h) => h.apiKey === apiKey && h.version === apiVersion),
    context,
  });
}

const metadata = Buffer.from('subscription');
const protocols = [{ name: 'RoundRobinAssigner', metadata }];

async function joinedMember(version: number, groupId: string) {
  const args = {
    groupId,
    sessionTimeout: 5000,
    rebalanceTimeout: 5000,
    memberId: '',
    protocolType: 'consumer',
    groupProtocols: protocols,
  };
  let joined = await call('joinGroup', version, args);
  if (version >= 4) {
    expect(joined.errorCode).toBe(79);
    joined = await call('joinGroup', version, { ...args, memberId: joined.memberId });
  }
  return joined as {
    errorCode: number;
    generationId: number;
    leaderId: string;
    memberId: string;
    members: { memberId: string; memberMetadata: Buffer }[];
    groupProtocol: string;
  };
}

describe('group API codecs against kafkajs', () => {
  it('registers contiguous, non-flexible versions only', () => {
    const versions = new Map<number, number[]>();
    for (const h of groupApiVersions) versions.set(h.apiKey, [...(versions.get(h.apiKey) ?? []), h.version]);
    expect(Object.fromEntries(versions)).toEqual({
      [ApiKey.FindCoordinator]: [0, 1, 2],
      [ApiKey.JoinGroup]: [0, 1, 2, 3, 4, 5],
      [ApiKey.SyncGroup]: [0, 1, 2, 3],
      [ApiKey.Heartbeat]: [0, 1, 2, 3],
      [ApiKey.LeaveGroup]: [0, 1, 2, 3],
      [ApiKey.OffsetCommit]: [0, 1, 2, 3, 4, 5],
      [ApiKey.OffsetFetch]: [0, 1, 2, 3, 4],
      [ApiKey.ListGroups]: [0, 1, 2],
      [ApiKey.DescribeGroups]: [0, 1, 2],
      [ApiKey.DeleteGroups]: [0, 1],
    });
  });

  it.each([0, 1, 2])(
    'FindCoordinator v%i names this broker as seen through the listener',
    async (version) => {
      const found = await call('findCoordinator', version, { groupId: 'g' });
      expect(found).toMatchObject({
        errorCode: 0,
        coordinator: { nodeId: 7, host: 'broker.test', port: 19092 },
      });
    },
  );

  it.each([0, 1, 2, 3, 4, 5])('JoinGroup, SyncGroup, Heartbeat and LeaveGroup v%i', async (joinVersion) => {
    const groupId = `join-v${joinVersion}`;
    const joined = await joinedMember(joinVersion, groupId);
    expect(joined).toMatchObject({ errorCode: 0, generationId: 1, groupProtocol: 'RoundRobinAssigner' });
    expect(joined.leaderId).toBe(joined.memberId);
    expect(joined.memberId).toMatch(/^codec-test-/);
    expect(joined.members).toHaveLength(1);
    expect(Buffer.from(joined.members[0]?.memberMetadata ?? []).toString()).toBe('subscription');

    const syncVersion = Math.min(joinVersion, 3);
    const synced = await call('syncGroup', syncVersion, {
      groupId,
      generationId: joined.generationId,
      memberId: joined.memberId,
      groupAssignment: [{ memberId: joined.memberId, memberAssignment: Buffer.from('assigned') }],
    });
    expect(synced.errorCode).toBe(0);
    expect(Buffer.from(synced.memberAssignment as Buffer).toString()).toBe('assigned');

    const beat = await call('heartbeat', syncVersion, {
      groupId,
      groupGenerationId: 1,
      memberId: joined.memberId,
    });
    expect(beat.errorCode).toBe(0);
    const staleBeat = await call('heartbeat', syncVersion, {
      groupId,
      groupGenerationId: 0,
      memberId: joined.memberId,
    });
    expect(staleBeat.errorCode).toBe(22);

    const described = (await call('describeGroups', Math.min(syncVersion, 2), { groupIds: [groupId] })) as {
      groups: {
        state: string;
        protocol: string;
        members: { clientId: string; clientHost: string; memberAssignment: Buffer }[];
      }[];
    };
    expect(described.groups[0]).toMatchObject({ state: 'Stable', protocol: 'RoundRobinAssigner' });
    expect(described.groups[0]?.members[0]).toMatchObject({
      clientId: 'codec-test',
      clientHost: '/127.0.0.1',
    });
    expect(Buffer.from(described.groups[0]?.members[0]?.memberAssignment ?? []).toString()).toBe('assigned');

    const left = await call('leaveGroup', syncVersion, {
      groupId,
      memberId: joined.memberId,
      members: [{ memberId: joined.memberId }],
    });
    expect(left.errorCode).toBe(0);
    expect(coordinator.describeGroup(groupId).state).toBe('Empty');
  });

  it.each([0, 1, 2, 3, 4, 5])('OffsetCommit v%i then OffsetFetch', async (version) => {
    const groupId = `commit-v${version}`;
    const committed = (await call('offsetCommit', version, {
      groupId,
      groupGenerationId: -1,
      memberId: '',
      topics: [
        { topic: 't', partitions: [{ partition: 1, offset: String(10 + version), metadata: 'meta' }] },
      ],
    })) as { responses: { topic: string; partitions: { partition: number; errorCode: number }[] }[] };
    expect(committed.responses).toEqual([{ topic: 't', partitions: [{ partition: 1, errorCode: 0 }] }]);

    for (const fetchVersion of [1, 2, 3, 4]) {
      const fetched = (await call('offsetFetch', fetchVersion, {
        groupId,
        topics: [{ topic: 't', partitions: [{ partition: 1 }, { partition: 2 }] }],
      })) as {
        responses: { topic: string; partitions: { partition: number; offset: string; metadata: string }[] }[];
      };
      expect(fetched.responses[0]?.partitions).toEqual([
        expect.objectContaining({ partition: 1, offset: String(10 + version), metadata: 'meta' }),
        expect.objectContaining({ partition: 2, offset: '-1' }),
      ]);
    }
  });

  it.each([0, 1, 2])('ListGroups v%i', async (version) => {
    await joinedMember(5, `listed-v${version}`);
    const listed = (await call('listGroups', version, {})) as {
      errorCode: number;
      groups: { groupId: string; protocolType: string }[];
    };
    expect(listed.errorCode).toBe(0);
    expect(listed.groups).toContainEqual({ groupId: `listed-v${version}`, protocolType: 'consumer' });
  });

  it.each([0, 1])('DeleteGroups v%i', async (version) => {
    const groupId = `deleted-v${version}`;
    await call('offsetCommit', 5, {
      groupId,
      groupGenerationId: -1,
      memberId: '',
      topics: [{ topic: 't', partitions: [{ partition: 0, offset: '3' }] }],
    });
    const deleted = (await call('deleteGroups', version, [groupId, 'never-existed'])) as {
      results: { groupId: string; errorCode: number }[];
    };
    expect(deleted.results).toMatchObject([
      { groupId, errorCode: 0 },
      { groupId: 'never-existed', errorCode: 69 },
    ]);
  });

  it('DescribeGroups reports unknown groups as Dead', async () => {
    const described = (await call('describeGroups', 2, { groupIds: ['never'] })) as {
      groups: { state: string; errorCode: number }[];
    };
    expect(described.groups[0]).toMatchObject({ errorCode: 0, state: 'Dead' });
  });
});
