import { afterEach, describe, expect, it } from 'vitest';
import { ErrorCode } from '../protocol/api-keys.ts';
import { GroupCoordinator } from './coordinator.ts';
import { OffsetStore } from './offset-store.ts';
import type { JoinGroupInput } from './types.ts';

const coordinators: GroupCoordinator[] = [];
afterEach(() => {
  for (const c of coordinators.splice(0)) c.close();
});

function coordinator(): GroupCoordinator {
  const c = new GroupCoordinator({ offsets: new OffsetStore(null), minSessionTimeoutMs: 1 });
  coordinators.push(c);
  return c;
}

function join(overrides: Partial<JoinGroupInput> = {}): JoinGroupInput {
  return {
    groupId: 'g',
    memberId: '',
    groupInstanceId: null,
    sessionTimeoutMs: 400,
    rebalanceTimeoutMs: 300,
    protocolType: 'consumer',
    protocols: [
      { name: 'RoundRobinAssigner', metadata: Buffer.from('rr') },
      { name: 'range', metadata: Buffer.from('range') },
    ],
    clientId: 'client',
    clientHost: '/127.0.0.1',
    requireKnownMemberId: true,
    ...overrides,
  };
}

/** SyncGroup of group 'g' by a member that sends no assignments (a follower, or a leader too early). */
function sync(c: GroupCoordinator, memberId: string, generationId: number) {
  return c.syncGroup({ groupId: 'g', generationId, memberId, groupInstanceId: null, assignments: [] });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** JoinGroup v4+ dance: MEMBER_ID_REQUIRED first, then the real join with the id handed out. */
async function joinWithId(c: GroupCoordinator, overrides: Partial<JoinGroupInput> = {}) {
  const first = await c.joinGroup(join(overrides));
  expect(first.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
  expect(first.memberId).toMatch(/^client-/);
  return { memberId: first.memberId, joined: c.joinGroup(join({ ...overrides, memberId: first.memberId })) };
}

async function stableGroupOfOne(c: GroupCoordinator) {
  const { memberId, joined } = await joinWithId(c);
  const result = await joined;
  const sync = await c.syncGroup({
    groupId: 'g',
    generationId: result.generationId,
    memberId,
    groupInstanceId: null,
    assignments: [{ memberId, assignment: Buffer.from('a1') }],
  });
  expect(sync).toEqual({ errorCode: ErrorCode.NONE, assignment: Buffer.from('a1') });
  return { memberId, generationId: result.generationId };
}

describe('GroupCoordinator join and sync', () => {
  it('makes the first member leader of generation 1 with its metadata', async () => {
    const c = coordinator();
    const { memberId, joined } = await joinWithId(c);
    const result = await joined;
    expect(result.errorCode).toBe(ErrorCode.NONE);
    expect(result.generationId).toBe(1);
    expect(result.leaderId).toBe(memberId);
    expect(result.protocolName).toBe('RoundRobinAssigner');
    expect(result.members).toEqual([{ memberId, groupInstanceId: null, metadata: Buffer.from('rr') }]);
    expect(c.describeGroup('g').state).toBe('CompletingRebalance');
  });

  it('joins without MEMBER_ID_REQUIRED for v0-v3 clients', async () => {
    const c = coordinator();
    const result = await c.joinGroup(join({ requireKnownMemberId: false }));
    expect(result.errorCode).toBe(ErrorCode.NONE);
    expect(result.memberId).toMatch(/^client-/);
  });

  it('refuses a known member id for an unknown group and bad session timeouts', async () => {
    const c = coordinator();
    expect((await c.joinGroup(join({ memberId: 'ghost' }))).errorCode).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    const strict = new GroupCoordinator({ offsets: new OffsetStore(null) });
    coordinators.push(strict);
    expect((await strict.joinGroup(join({ sessionTimeoutMs: 100 }))).errorCode).toBe(
      ErrorCode.INVALID_SESSION_TIMEOUT,
    );
  });

  it('holds the rebalance until every member rejoined; the new generation sees both', async () => {
    const c = coordinator();
    const a = await stableGroupOfOne(c);
    const b = await joinWithId(c, { clientId: 'client' });
    expect(c.describeGroup('g').state).toBe('PreparingRebalance');
    // the old member learns of the rebalance from its heartbeat
    expect(
      c.heartbeat({
        groupId: 'g',
        generationId: a.generationId,
        memberId: a.memberId,
        groupInstanceId: null,
      }),
    ).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    let bDone = false;
    void b.joined.then(() => {
      bDone = true;
    });
    await sleep(20);
    expect(bDone).toBe(false);
    const aJoined = c.joinGroup(join({ memberId: a.memberId }));
    const [ra, rb] = await Promise.all([aJoined, b.joined]);
    expect(ra.generationId).toBe(2);
    expect(rb.generationId).toBe(2);
    expect(ra.leaderId).toBe(a.memberId);
    expect(ra.members.map((m) => m.memberId).sort()).toEqual([a.memberId, b.memberId].sort());
    expect(rb.members).toEqual([]);

    // the follower's SyncGroup waits for the leader's assignment
    const followerSync = sync(c, b.memberId, 2);
    let followerDone = false;
    void followerSync.then(() => {
      followerDone = true;
    });
    await sleep(20);
    expect(followerDone).toBe(false);
    const leaderSync = await c.syncGroup({
      groupId: 'g',
      generationId: 2,
      memberId: a.memberId,
      groupInstanceId: null,
      assignments: [
        { memberId: a.memberId, assignment: Buffer.from('for-a') },
        { memberId: b.memberId, assignment: Buffer.from('for-b') },
      ],
    });
    expect(leaderSync.assignment.toString()).toBe('for-a');
    expect((await followerSync).assignment.toString()).toBe('for-b');
    expect(c.describeGroup('g').state).toBe('Stable');
  });

  it('removes members that do not rejoin within the rebalance timeout', async () => {
    const c = coordinator();
    const a = await stableGroupOfOne(c);
    const b = await joinWithId(c);
    const rb = await b.joined; // a never rejoins: completes after the 300 ms rebalance timeout
    expect(rb.generationId).toBe(2);
    expect(rb.leaderId).toBe(b.memberId);
    expect(rb.members.map((m) => m.memberId)).toEqual([b.memberId]);
    expect(c.heartbeat({ groupId: 'g', generationId: 1, memberId: a.memberId, groupInstanceId: null })).toBe(
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
  });

  it('picks a protocol every member supports, in the leader order', async () => {
    const c = coordinator();
    const a = await joinWithId(c);
    await a.joined;
    const b = await joinWithId(c, { protocols: [{ name: 'range', metadata: Buffer.from('b-range') }] });
    const [ra] = await Promise.all([c.joinGroup(join({ memberId: a.memberId })), b.joined]);
    expect(ra.protocolName).toBe('range');
    expect(ra.members.find((m) => m.memberId === b.memberId)?.metadata.toString()).toBe('b-range');
    const incompatible = await c.joinGroup(
      join({ protocols: [{ name: 'sticky', metadata: Buffer.alloc(0) }] }),
    );
    expect(incompatible.errorCode).toBe(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });

  it('answers a follower SyncGroup with REBALANCE_IN_PROGRESS when a rebalance starts first', async () => {
    const c = coordinator();
    const a = await joinWithId(c);
    await a.joined;
    const b = await joinWithId(c);
    await Promise.all([c.joinGroup(join({ memberId: a.memberId })), b.joined]);
    const followerSync = sync(c, b.memberId, 2);
    // a third member arrives before the leader synced
    const third = await joinWithId(c);
    expect((await followerSync).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    expect((await sync(c, a.memberId, 2)).errorCode).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
    const results = await Promise.all([
      c.joinGroup(join({ memberId: a.memberId })),
      c.joinGroup(join({ memberId: b.memberId })),
      third.joined,
    ]);
    expect(results.map((r) => r.generationId)).toEqual([3, 3, 3]);
    expect((await sync(c, a.memberId, 2)).errorCode).toBe(ErrorCode.ILLEGAL_GENERATION);
  });
});

describe('GroupCoordinator heartbeats, leaving and expiry', () => {
  it('answers heartbeats by generation and membership', async () => {
    const c = coordinator();
    const a = await stableGroupOfOne(c);
    const beat = (generationId: number, memberId = a.memberId) =>
      c.heartbeat({ groupId: 'g', generationId, memberId, groupInstanceId: null });
    expect(beat(a.generationId)).toBe(ErrorCode.NONE);
    expect(beat(a.generationId + 5)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(beat(a.generationId, 'nobody')).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(
      c.heartbeat({ groupId: 'other', generationId: 1, memberId: a.memberId, groupInstanceId: null }),
    ).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('expires a member that stops heartbeating and rebalances the rest', async () => {
    const c = coordinator();
    const a = await joinWithId(c, { sessionTimeoutMs: 1000 });
    await a.joined;
    const b = await joinWithId(c, { sessionTimeoutMs: 150 });
    await Promise.all([c.joinGroup(join({ memberId: a.memberId, sessionTimeoutMs: 1000 })), b.joined]);
    await sync(c, a.memberId, 2);
    await sync(c, b.memberId, 2);
    expect(c.describeGroup('g').state).toBe('Stable');
    await sleep(300); // b's 150 ms session passes without a heartbeat
    expect(c.describeGroup('g').state).toBe('PreparingRebalance');
    expect(c.heartbeat({ groupId: 'g', generationId: 2, memberId: a.memberId, groupInstanceId: null })).toBe(
      ErrorCode.REBALANCE_IN_PROGRESS,
    );
    const ra = await c.joinGroup(join({ memberId: a.memberId, sessionTimeoutMs: 1000 }));
    expect(ra.generationId).toBe(3);
    expect(ra.members.map((m) => m.memberId)).toEqual([a.memberId]);
  });

  it('rebalances when a member leaves and goes Empty when the last one does', async () => {
    const c = coordinator();
    const a = await joinWithId(c);
    await a.joined;
    const b = await joinWithId(c);
    await Promise.all([c.joinGroup(join({ memberId: a.memberId })), b.joined]);
    const left = c.leaveGroup({ groupId: 'g', members: [{ memberId: a.memberId, groupInstanceId: null }] });
    expect(left.members[0]?.errorCode).toBe(ErrorCode.NONE);
    // the leader left: b becomes leader of the next generation on its own
    const rb = await c.joinGroup(join({ memberId: b.memberId }));
    expect(rb.leaderId).toBe(b.memberId);
    expect(rb.generationId).toBe(3);
    c.leaveGroup({ groupId: 'g', members: [{ memberId: b.memberId, groupInstanceId: null }] });
    const description = c.describeGroup('g');
    expect(description.state).toBe('Empty');
    expect(description.members).toEqual([]);
    expect(
      c.leaveGroup({ groupId: 'g', members: [{ memberId: b.memberId, groupInstanceId: null }] }).members[0]
        ?.errorCode,
    ).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it('describes a stable group with client id, host, metadata and assignment', async () => {
    const c = coordinator();
    const a = await stableGroupOfOne(c);
    const description = c.describeGroup('g');
    expect(description).toMatchObject({
      state: 'Stable',
      protocolType: 'consumer',
      protocolName: 'RoundRobinAssigner',
    });
    expect(description.members).toEqual([
      {
        memberId: a.memberId,
        groupInstanceId: null,
        clientId: 'client',
        clientHost: '/127.0.0.1',
        metadata: Buffer.from('rr'),
        assignment: Buffer.from('a1'),
      },
    ]);
    expect(c.describeGroup('nope').state).toBe('Dead');
    expect(c.listGroups()).toEqual([{ groupId: 'g', protocolType: 'consumer', state: 'Stable' }]);
  });
});

describe('GroupCoordinator offsets', () => {
  const commit = (
    c: GroupCoordinator,
    generationId: number,
    memberId: string,
    offset: number,
    groupId = 'g',
  ) =>
    c.commitOffsets({
      groupId,
      generationId,
      memberId,
      topics: [{ name: 't', partitions: [{ partition: 0, offset, metadata: null }] }],
    }).topics[0]?.partitions[0]?.errorCode;

  it('accepts commits from the current generation and rejects stale or unknown members', async () => {
    const c = coordinator();
    const a = await stableGroupOfOne(c);
    expect(commit(c, a.generationId, a.memberId, 5)).toBe(ErrorCode.NONE);
    expect(commit(c, a.generationId - 1, a.memberId, 6)).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(commit(c, a.generationId, 'nobody', 6)).toBe(ErrorCode.UNKNOWN_MEMBER_ID);
    expect(commit(c, -1, '', 6)).toBe(ErrorCode.UNKNOWN_MEMBER_ID); // group has members
    const fetched = c.fetchOffsets({ groupId: 'g', topics: [{ name: 't', partitions: [0, 1] }] });
    expect(fetched.topics[0]?.partitions).toEqual([
      { partition: 0, offset: 5, metadata: '', errorCode: ErrorCode.NONE },
      { partition: 1, offset: -1, metadata: '', errorCode: ErrorCode.NONE },
    ]);
  });

  it('accepts commits of the current generation during PreparingRebalance, not CompletingRebalance', async () => {
    const c = coordinator();
    const a = await stableGroupOfOne(c);
    const b = await joinWithId(c);
    expect(commit(c, a.generationId, a.memberId, 7)).toBe(ErrorCode.NONE);
    await Promise.all([c.joinGroup(join({ memberId: a.memberId })), b.joined]);
    expect(commit(c, a.generationId + 1, a.memberId, 8)).toBe(ErrorCode.REBALANCE_IN_PROGRESS);
  });

  it('takes simple commits (generation -1) for unknown and empty groups, and lists those groups', () => {
    const c = coordinator();
    expect(commit(c, -1, '', 42, 'admin-set')).toBe(ErrorCode.NONE);
    expect(commit(c, 3, 'x', 42, 'never-seen')).toBe(ErrorCode.ILLEGAL_GENERATION);
    expect(c.fetchOffsets({ groupId: 'admin-set', topics: null }).topics).toEqual([
      { name: 't', partitions: [{ partition: 0, offset: 42, metadata: '', errorCode: ErrorCode.NONE }] },
    ]);
    expect(c.listGroups()).toEqual([{ groupId: 'admin-set', protocolType: '', state: 'Empty' }]);
  });

  it('deletes only empty groups, with their offsets', async () => {
    const c = coordinator();
    const a = await stableGroupOfOne(c);
    expect(commit(c, a.generationId, a.memberId, 5)).toBe(ErrorCode.NONE);
    expect(c.deleteGroup('g')).toBe(ErrorCode.NON_EMPTY_GROUP);
    c.leaveGroup({ groupId: 'g', members: [{ memberId: a.memberId, groupInstanceId: null }] });
    expect(c.deleteGroup('g')).toBe(ErrorCode.NONE);
    expect(c.fetchOffsets({ groupId: 'g', topics: null }).topics).toEqual([]);
    expect(c.describeGroup('g').state).toBe('Dead');
    expect(c.deleteGroup('g')).toBe(ErrorCode.GROUP_ID_NOT_FOUND);
  });

  it('refuses partitions the broker does not have', () => {
    const c = new GroupCoordinator({
      offsets: new OffsetStore(null),
      partitionExists: (topic) => topic === 'known',
    });
    coordinators.push(c);
    const result = c.commitOffsets({
      groupId: 'g',
      generationId: -1,
      memberId: '',
      topics: [
        { name: 'known', partitions: [{ partition: 0, offset: 1, metadata: 'm' }] },
        { name: 'unknown', partitions: [{ partition: 0, offset: 1, metadata: 'm' }] },
      ],
    });
    expect(result.topics.map((t) => t.partitions[0]?.errorCode)).toEqual([
      ErrorCode.NONE,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ]);
  });
});
