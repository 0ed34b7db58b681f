/**
 * The group coordinator: Kafka's classic consumer-group protocol as a state machine, with no
 * sockets. The request handlers in infra/kafka/protocol/requests/ decode a request, call one of
 * these methods and encode what it returns (JoinGroup and SyncGroup answer with a promise that
 * is held until the rebalance, or the leader's assignment, completes).
 *
 * States and transitions follow Apache Kafka's GroupCoordinator:
 *   Empty ──join──▶ PreparingRebalance ──all rejoined / rebalance timeout──▶ CompletingRebalance
 *   CompletingRebalance ──leader's SyncGroup──▶ Stable
 *   Stable / CompletingRebalance ──join with new metadata, leave, session expiry──▶ PreparingRebalance
 *   PreparingRebalance ──nobody left──▶ Empty
 * Every completed join increments the generation. Committed offsets live in an OffsetStore.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { ErrorCode } from '../protocol/api-keys.ts';
import { EMPTY, Group, type Member, sameProtocols } from './group.ts';
import type { MembershipStore, StoredGroup } from './membership-store.ts';
import type { OffsetStore } from './offset-store.ts';
import type {
  GroupDescription,
  GroupListing,
  HeartbeatInput,
  JoinGroupInput,
  JoinGroupResult,
  LeaveGroupInput,
  LeaveGroupResult,
  OffsetCommitInput,
  OffsetCommitResult,
  OffsetFetchInput,
  OffsetFetchResult,
  SyncGroupInput,
  SyncGroupResult,
} from './types.ts';

export interface GroupCoordinatorOptions {
  offsets: OffsetStore;
  /** where stable groups' membership is kept across restarts (absent: members rejoin) */
  membership?: MembershipStore;
  /** Kafka's group.min.session.timeout.ms (default 6000). */
  minSessionTimeoutMs?: number;
  /** Kafka's group.max.session.timeout.ms (default 1800000). */
  maxSessionTimeoutMs?: number;
  /**
   * Kafka's group.initial.rebalance.delay.ms: how long the first rebalance of an empty group
   * waits for more members. Kafka defaults to 3000; 0 here, as most test setups configure.
   */
  initialRebalanceDelayMs?: number;
  /** Commits to partitions that do not exist get UNKNOWN_TOPIC_OR_PARTITION (as Kafka does). */
  partitionExists?: (topic: string, partition: number) => boolean;
  /** Kafka's offset.metadata.max.bytes. */
  maxMetadataBytes?: number;
  /** rebalances and member removals are logged at info level */
  logger?: Logger;
}

export class GroupCoordinator {
  private readonly groups = new Map<string, Group>();
  private readonly offsets: OffsetStore;
  private readonly minSessionTimeoutMs: number;
  private readonly maxSessionTimeoutMs: number;
  private readonly initialRebalanceDelayMs: number;
  private readonly partitionExists: (topic: string, partition: number) => boolean;
  private readonly maxMetadataBytes: number;
  private readonly logger: Logger | undefined;
  private readonly membership: MembershipStore | undefined;

  constructor(options: GroupCoordinatorOptions) {
    this.offsets = options.offsets;
    this.membership = options.membership;
    this.minSessionTimeoutMs = options.minSessionTimeoutMs ?? 6000;
    this.maxSessionTimeoutMs = options.maxSessionTimeoutMs ?? 1_800_000;
    this.initialRebalanceDelayMs = options.initialRebalanceDelayMs ?? 0;
    this.partitionExists = options.partitionExists ?? (() => true);
    this.maxMetadataBytes = options.maxMetadataBytes ?? 4096;
    this.logger = options.logger;
    for (const stored of this.membership?.load() ?? []) this.restore(stored);
  }

  /** A stable group as it was persisted; its members' sessions start now. */
  private restore(stored: StoredGroup): void {
    const group = new Group(stored.groupId);
    group.state = 'Stable';
    group.generationId = stored.generationId;
    group.protocolType = stored.protocolType;
    group.protocolName = stored.protocolName;
    group.leaderId = stored.leaderId;
    for (const m of stored.members) {
      const member: Member = {
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        sessionTimeoutMs: m.sessionTimeoutMs,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs,
        protocolType: m.protocolType,
        protocols: m.protocols.map((p) => ({ name: p.name, metadata: Buffer.from(p.metadata, 'base64') })),
        assignment: Buffer.from(m.assignment, 'base64'),
        awaitingJoin: null,
        awaitingSync: null,
        sessionTimer: null,
      };
      group.members.set(member.memberId, member);
      this.refreshSession(group, member);
    }
    this.groups.set(group.groupId, group);
    this.logger?.info(
      { group: group.groupId, generation: group.generationId, members: group.members.size },
      'group membership restored',
    );
  }

  /** Rewrites the snapshot of every stable group (after a rebalance completes or a member goes). */
  private persistMembership(): void {
    if (this.membership === undefined) return;
    const stable = [...this.groups.values()].filter(
      (group) => group.state === 'Stable' && group.members.size > 0,
    );
    this.membership.save(
      stable.map((group) => ({
        groupId: group.groupId,
        generationId: group.generationId,
        protocolType: group.protocolType,
        protocolName: group.protocolName,
        leaderId: group.leaderId,
        members: [...group.members.values()].map((member) => ({
          memberId: member.memberId,
          groupInstanceId: member.groupInstanceId,
          clientId: member.clientId,
          clientHost: member.clientHost,
          sessionTimeoutMs: member.sessionTimeoutMs,
          rebalanceTimeoutMs: member.rebalanceTimeoutMs,
          protocolType: member.protocolType,
          protocols: member.protocols.map((p) => ({ name: p.name, metadata: p.metadata.toString('base64') })),
          assignment: member.assignment.toString('base64'),
        })),
      })),
    );
  }

  // ── JoinGroup ────────────────────────────────────────────────────────────────────────────

  joinGroup(input: JoinGroupInput): Promise<JoinGroupResult> {
    if (input.groupId === '') return Promise.resolve(joinError(ErrorCode.INVALID_GROUP_ID, input.memberId));
    if (
      input.sessionTimeoutMs < this.minSessionTimeoutMs ||
      input.sessionTimeoutMs > this.maxSessionTimeoutMs
    ) {
      return Promise.resolve(joinError(ErrorCode.INVALID_SESSION_TIMEOUT, input.memberId));
    }
    let group = this.groups.get(input.groupId);
    if (group === undefined) {
      // a member id only makes sense for a group this coordinator knows
      if (input.memberId !== '')
        return Promise.resolve(joinError(ErrorCode.UNKNOWN_MEMBER_ID, input.memberId));
      group = new Group(input.groupId);
      this.groups.set(input.groupId, group);
    }
    if (!group.supportsProtocols(input.protocolType, input.protocols)) {
      return Promise.resolve(joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, input.memberId));
    }
    return input.memberId === '' ? this.joinUnknownMember(group, input) : this.joinKnownMember(group, input);
  }

  private joinUnknownMember(group: Group, input: JoinGroupInput): Promise<JoinGroupResult> {
    const memberId = `${input.clientId || 'member'}-${randomUUID()}`;
    if (input.requireKnownMemberId) {
      // KIP-394: hand out the id first; the member becomes part of the group when it rejoins with
      // it, so a client that dies between the two never holds a rebalance for longer than its session
      const expiry = setTimeout(() => this.expirePendingMember(group, memberId), input.sessionTimeoutMs);
      expiry.unref();
      group.pendingMembers.set(memberId, expiry);
      return Promise.resolve(joinError(ErrorCode.MEMBER_ID_REQUIRED, memberId));
    }
    return this.addMemberAndRebalance(group, memberId, input);
  }

  private joinKnownMember(group: Group, input: JoinGroupInput): Promise<JoinGroupResult> {
    const pending = group.pendingMembers.get(input.memberId);
    if (pending !== undefined) {
      clearTimeout(pending);
      group.pendingMembers.delete(input.memberId);
      return this.addMemberAndRebalance(group, input.memberId, input);
    }
    const member = group.members.get(input.memberId);
    if (member === undefined) return Promise.resolve(joinError(ErrorCode.UNKNOWN_MEMBER_ID, input.memberId));
    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(group, member, input);
      case 'CompletingRebalance':
        // a member that lost its JoinGroup response gets the same generation again
        if (sameProtocols(member.protocols, input.protocols)) {
          this.refreshSession(group, member);
          return Promise.resolve(this.joinResultFor(group, member));
        }
        return this.updateMemberAndRebalance(group, member, input);
      case 'Stable':
        // the leader rejoining (e.g. metadata of its topics changed) or new subscriptions rebalance;
        // a follower rejoining with what it already had just learns the current generation
        if (member.memberId === group.leaderId || !sameProtocols(member.protocols, input.protocols)) {
          return this.updateMemberAndRebalance(group, member, input);
        }
        this.refreshSession(group, member);
        return Promise.resolve(this.joinResultFor(group, member));
      default:
        return Promise.resolve(joinError(ErrorCode.UNKNOWN_MEMBER_ID, input.memberId));
    }
  }

  private addMemberAndRebalance(
    group: Group,
    memberId: string,
    input: JoinGroupInput,
  ): Promise<JoinGroupResult> {
    const member: Member = {
      memberId,
      groupInstanceId: input.groupInstanceId,
      clientId: input.clientId,
      clientHost: input.clientHost,
      sessionTimeoutMs: input.sessionTimeoutMs,
      rebalanceTimeoutMs: input.rebalanceTimeoutMs,
      protocolType: input.protocolType,
      protocols: input.protocols,
      assignment: EMPTY,
      awaitingJoin: null,
      awaitingSync: null,
      sessionTimer: null,
    };
    if (group.members.size === 0) group.protocolType = input.protocolType;
    group.members.set(memberId, member);
    if (group.leaderId === null) group.leaderId = memberId;
    const joined = this.awaitJoin(member);
    this.refreshSession(group, member);
    this.rebalanceOrTryComplete(group);
    return joined;
  }

  private updateMemberAndRebalance(
    group: Group,
    member: Member,
    input: JoinGroupInput,
  ): Promise<JoinGroupResult> {
    member.protocols = input.protocols;
    member.sessionTimeoutMs = input.sessionTimeoutMs;
    member.rebalanceTimeoutMs = input.rebalanceTimeoutMs;
    member.clientId = input.clientId;
    member.clientHost = input.clientHost;
    const joined = this.awaitJoin(member);
    this.refreshSession(group, member);
    this.rebalanceOrTryComplete(group);
    return joined;
  }

  private awaitJoin(member: Member): Promise<JoinGroupResult> {
    // a second JoinGroup from the same member replaces the first, which learns it lost the race
    member.awaitingJoin?.(joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
    return new Promise((resolve) => {
      member.awaitingJoin = resolve;
    });
  }

  private rebalanceOrTryComplete(group: Group): void {
    if (group.state === 'PreparingRebalance') this.tryCompleteJoin(group);
    else this.prepareRebalance(group);
  }

  private prepareRebalance(group: Group): void {
    if (group.state === 'CompletingRebalance') {
      // followers waiting for an assignment of a generation that will never be Stable
      for (const member of group.members.values()) {
        member.assignment = EMPTY;
        resolveSync(member, { errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
      }
    }
    const wasEmpty = group.state === 'Empty';
    group.state = 'PreparingRebalance';
    if (group.joinTimer !== null) clearTimeout(group.joinTimer);
    group.joinNotBefore = wasEmpty ? Date.now() + this.initialRebalanceDelayMs : 0;
    const timeout = Math.max(group.rebalanceTimeoutMs(), wasEmpty ? this.initialRebalanceDelayMs : 0);
    group.joinTimer = setTimeout(() => this.completeJoin(group), timeout);
    group.joinTimer.unref();
    this.tryCompleteJoin(group);
  }

  private tryCompleteJoin(group: Group): void {
    if (group.state !== 'PreparingRebalance' || !group.allMembersJoined()) return;
    const wait = group.joinNotBefore - Date.now();
    if (wait > 0) {
      // initial delay of a fresh group: complete when it ends (or when the rebalance times out)
      if (group.joinTimer !== null) clearTimeout(group.joinTimer);
      group.joinTimer = setTimeout(() => this.completeJoin(group), wait);
      group.joinTimer.unref();
      return;
    }
    this.completeJoin(group);
  }

  private completeJoin(group: Group): void {
    if (group.state !== 'PreparingRebalance') return;
    if (group.joinTimer !== null) clearTimeout(group.joinTimer);
    group.joinTimer = null;
    // members that did not rejoin within the rebalance timeout are out
    for (const member of [...group.members.values()]) {
      if (member.awaitingJoin === null)
        this.forgetMember(group, member, 'did not rejoin within the rebalance timeout');
    }
    group.generationId++;
    if (group.members.size === 0) {
      group.state = 'Empty';
      group.protocolName = null;
      group.leaderId = null;
      this.logger?.info({ group: group.groupId, generation: group.generationId }, 'group is empty');
      return;
    }
    group.protocolName = group.selectProtocol();
    group.state = 'CompletingRebalance';
    this.logger?.info(
      {
        group: group.groupId,
        generation: group.generationId,
        protocol: group.protocolName,
        leader: group.leaderId,
        members: [...group.members.keys()],
      },
      'group rebalanced',
    );
    for (const member of group.members.values()) {
      const respond = member.awaitingJoin;
      member.awaitingJoin = null;
      this.refreshSession(group, member);
      respond?.(this.joinResultFor(group, member));
    }
  }

  private joinResultFor(group: Group, member: Member): JoinGroupResult {
    const isLeader = member.memberId === group.leaderId;
    return {
      errorCode: ErrorCode.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName: group.protocolName,
      leaderId: group.leaderId ?? '',
      memberId: member.memberId,
      members: isLeader
        ? [...group.members.values()].map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            metadata: group.metadataFor(m, group.protocolName),
          }))
        : [],
    };
  }

  // ── SyncGroup ────────────────────────────────────────────────────────────────────────────

  syncGroup(input: SyncGroupInput): Promise<SyncGroupResult> {
    const group = this.groups.get(input.groupId);
    const member = group?.members.get(input.memberId);
    if (group === undefined || member === undefined) return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
    if (input.generationId !== group.generationId) return syncError(ErrorCode.ILLEGAL_GENERATION);
    switch (group.state) {
      case 'PreparingRebalance':
        return syncError(ErrorCode.REBALANCE_IN_PROGRESS);
      case 'CompletingRebalance': {
        resolveSync(member, { errorCode: ErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
        const synced = new Promise<SyncGroupResult>((resolve) => {
          member.awaitingSync = resolve;
        });
        this.refreshSession(group, member);
        if (member.memberId === group.leaderId) this.completeSync(group, input.assignments);
        return synced;
      }
      case 'Stable':
        this.refreshSession(group, member);
        return Promise.resolve({ errorCode: ErrorCode.NONE, assignment: member.assignment });
      default:
        return syncError(ErrorCode.UNKNOWN_MEMBER_ID);
    }
  }

  private completeSync(group: Group, assignments: SyncGroupInput['assignments']): void {
    const byMember = new Map(assignments.map((a) => [a.memberId, a.assignment]));
    group.state = 'Stable';
    for (const member of group.members.values()) {
      member.assignment = byMember.get(member.memberId) ?? EMPTY;
      resolveSync(member, { errorCode: ErrorCode.NONE, assignment: member.assignment });
    }
    this.persistMembership();
  }

  // ── Heartbeat ────────────────────────────────────────────────────────────────────────────

  heartbeat(input: HeartbeatInput): number {
    const group = this.groups.get(input.groupId);
    const member = group?.members.get(input.memberId);
    if (group === undefined || member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    switch (group.state) {
      case 'PreparingRebalance':
        // tells members of the current (about to be old) generation to rejoin
        this.refreshSession(group, member);
        return ErrorCode.REBALANCE_IN_PROGRESS;
      case 'CompletingRebalance':
        this.refreshSession(group, member);
        return input.generationId === group.generationId ? ErrorCode.NONE : ErrorCode.REBALANCE_IN_PROGRESS;
      case 'Stable':
        if (input.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
        this.refreshSession(group, member);
        return ErrorCode.NONE;
      default:
        return ErrorCode.UNKNOWN_MEMBER_ID;
    }
  }

  // ── LeaveGroup ───────────────────────────────────────────────────────────────────────────

  leaveGroup(input: LeaveGroupInput): LeaveGroupResult {
    const group = this.groups.get(input.groupId);
    if (group === undefined) {
      return {
        errorCode: ErrorCode.UNKNOWN_MEMBER_ID,
        members: input.members.map((m) => ({ ...m, errorCode: ErrorCode.UNKNOWN_MEMBER_ID })),
      };
    }
    const members = input.members.map((leaving) => {
      const pending = group.pendingMembers.get(leaving.memberId);
      if (pending !== undefined) {
        clearTimeout(pending);
        group.pendingMembers.delete(leaving.memberId);
        this.tryCompleteJoin(group);
        return { ...leaving, errorCode: ErrorCode.NONE };
      }
      const member = group.members.get(leaving.memberId);
      if (member === undefined) return { ...leaving, errorCode: ErrorCode.UNKNOWN_MEMBER_ID };
      this.removeMemberAndRebalance(group, member, 'left the group');
      return { ...leaving, errorCode: ErrorCode.NONE };
    });
    return { errorCode: ErrorCode.NONE, members };
  }

  // ── membership housekeeping ──────────────────────────────────────────────────────────────

  private refreshSession(group: Group, member: Member): void {
    if (member.sessionTimer !== null) clearTimeout(member.sessionTimer);
    member.sessionTimer = setTimeout(() => this.expireSession(group, member), member.sessionTimeoutMs);
    member.sessionTimer.unref();
  }

  private expireSession(group: Group, member: Member): void {
    if (group.members.get(member.memberId) !== member) return;
    // a member blocked in JoinGroup or SyncGroup is waiting on us, not dead
    if (member.awaitingJoin !== null || member.awaitingSync !== null) {
      this.refreshSession(group, member);
      return;
    }
    this.removeMemberAndRebalance(group, member, 'session timed out');
  }

  private expirePendingMember(group: Group, memberId: string): void {
    if (!group.pendingMembers.delete(memberId)) return;
    this.tryCompleteJoin(group);
  }

  private removeMemberAndRebalance(group: Group, member: Member, reason: string): void {
    member.awaitingJoin?.(joinError(ErrorCode.UNKNOWN_MEMBER_ID, member.memberId));
    member.awaitingJoin = null;
    resolveSync(member, { errorCode: ErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY });
    this.forgetMember(group, member, reason);
    if (group.state === 'Stable' || group.state === 'CompletingRebalance') this.prepareRebalance(group);
    else if (group.state === 'PreparingRebalance') this.tryCompleteJoin(group);
  }

  private forgetMember(group: Group, member: Member, reason: string): void {
    this.logger?.info({ group: group.groupId, member: member.memberId, reason }, 'member removed');
    if (member.sessionTimer !== null) clearTimeout(member.sessionTimer);
    member.sessionTimer = null;
    group.members.delete(member.memberId);
    if (group.leaderId === member.memberId) {
      // prefer a member that is already waiting in JoinGroup, as Kafka does
      const joined = [...group.members.values()].find((m) => m.awaitingJoin !== null);
      group.leaderId = (joined ?? group.members.values().next().value)?.memberId ?? null;
    }
    this.persistMembership();
  }

  // ── offsets ──────────────────────────────────────────────────────────────────────────────

  commitOffsets(input: OffsetCommitInput): OffsetCommitResult {
    const errorCode = this.commitAdmission(input);
    const accepted: { topic: string; partition: number; offset: number; metadata: string }[] = [];
    const topics = input.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((p) => {
        let code: number = errorCode;
        const metadata = p.metadata ?? '';
        if (code === ErrorCode.NONE && !this.partitionExists(topic.name, p.partition)) {
          code = ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        } else if (code === ErrorCode.NONE && Buffer.byteLength(metadata) > this.maxMetadataBytes) {
          code = ErrorCode.OFFSET_METADATA_TOO_LARGE;
        }
        if (code === ErrorCode.NONE) {
          accepted.push({ topic: topic.name, partition: p.partition, offset: p.offset, metadata });
        }
        return { partition: p.partition, errorCode: code };
      }),
    }));
    this.offsets.commit(input.groupId, accepted);
    return { topics };
  }

  /**
   * The offsets of a committed transaction (sent earlier with TxnOffsetCommit): stored as they
   * are, since the transaction coordinator already fenced stale producers.
   */
  commitTransactionalOffsets(
    groupId: string,
    offsets: { topic: string; partition: number; offset: number; metadata: string }[],
  ): void {
    this.offsets.commit(groupId, offsets);
  }

  /** Whether this commit may be stored at all (Kafka's doCommitOffsets checks, in its order). */
  private commitAdmission(input: OffsetCommitInput): number {
    if (input.groupId === '') return ErrorCode.INVALID_GROUP_ID;
    let group = this.groups.get(input.groupId);
    if (group === undefined) {
      // a client that manages partitions itself (admin setOffsets, assign()) commits with -1
      if (input.generationId >= 0) return ErrorCode.ILLEGAL_GENERATION;
      group = new Group(input.groupId);
      this.groups.set(input.groupId, group);
    }
    if (input.generationId < 0 && group.state === 'Empty') return ErrorCode.NONE;
    if (group.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    const member = group.members.get(input.memberId);
    if (member === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (input.generationId !== group.generationId) return ErrorCode.ILLEGAL_GENERATION;
    this.refreshSession(group, member);
    return ErrorCode.NONE;
  }

  fetchOffsets(input: OffsetFetchInput): OffsetFetchResult {
    if (input.topics === null) {
      const topics = [...this.offsets.all(input.groupId)].map(([name, partitions]) => ({
        name,
        partitions: [...partitions].map(([partition, committed]) => ({
          partition,
          offset: committed.offset,
          metadata: committed.metadata,
          errorCode: ErrorCode.NONE,
        })),
      }));
      return { errorCode: ErrorCode.NONE, topics };
    }
    const topics = input.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((partition) => {
        const committed = this.offsets.get(input.groupId, topic.name, partition);
        return {
          partition,
          offset: committed?.offset ?? -1,
          metadata: committed?.metadata ?? '',
          errorCode: ErrorCode.NONE,
        };
      }),
    }));
    return { errorCode: ErrorCode.NONE, topics };
  }

  // ── ListGroups / DescribeGroups ──────────────────────────────────────────────────────────

  listGroups(): GroupListing[] {
    const listings = new Map<string, GroupListing>();
    // groups known only by their committed offsets (e.g. after a restart) are Empty, as in Kafka
    for (const groupId of this.offsets.groupIds()) {
      listings.set(groupId, { groupId, protocolType: '', state: 'Empty' });
    }
    for (const group of this.groups.values()) {
      listings.set(group.groupId, {
        groupId: group.groupId,
        protocolType: group.protocolType ?? '',
        state: group.state,
      });
    }
    return [...listings.values()];
  }

  describeGroup(groupId: string): GroupDescription {
    const group = this.groups.get(groupId);
    if (group === undefined) {
      const known = this.offsets.groupIds().includes(groupId);
      return {
        errorCode: ErrorCode.NONE,
        groupId,
        state: known ? 'Empty' : 'Dead',
        protocolType: '',
        protocolName: '',
        members: [],
      };
    }
    const stable = group.state === 'Stable';
    return {
      errorCode: ErrorCode.NONE,
      groupId,
      state: group.state,
      protocolType: group.protocolType ?? '',
      protocolName: stable ? (group.protocolName ?? '') : '',
      // as Kafka: metadata and assignment only once the generation is Stable
      members: [...group.members.values()].map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: stable ? group.metadataFor(m, group.protocolName) : EMPTY,
        assignment: stable ? m.assignment : EMPTY,
      })),
    };
  }

  // ── DeleteGroups ─────────────────────────────────────────────────────────────────────────

  /** Removes an Empty group and its committed offsets, as Kafka's DeleteGroups. */
  deleteGroup(groupId: string): number {
    if (groupId === '') return ErrorCode.INVALID_GROUP_ID;
    const group = this.groups.get(groupId);
    if (group === undefined && !this.offsets.has(groupId)) return ErrorCode.GROUP_ID_NOT_FOUND;
    if (group !== undefined && group.state !== 'Empty') return ErrorCode.NON_EMPTY_GROUP;
    if (group !== undefined) {
      for (const timer of group.pendingMembers.values()) clearTimeout(timer);
      if (group.joinTimer !== null) clearTimeout(group.joinTimer);
    }
    this.groups.delete(groupId);
    this.persistMembership();
    this.offsets.deleteGroup(groupId);
    this.logger?.info({ group: groupId }, 'group deleted');
    return ErrorCode.NONE;
  }

  /** Stop every timer; held JoinGroup/SyncGroup calls are answered so nothing waits forever. */
  close(): void {
    for (const group of this.groups.values()) {
      if (group.joinTimer !== null) clearTimeout(group.joinTimer);
      for (const timer of group.pendingMembers.values()) clearTimeout(timer);
      for (const member of group.members.values()) {
        if (member.sessionTimer !== null) clearTimeout(member.sessionTimer);
        member.awaitingJoin?.(joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, member.memberId));
        member.awaitingJoin = null;
        resolveSync(member, { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, assignment: EMPTY });
      }
    }
    this.groups.clear();
    this.offsets.close();
  }
}

function joinError(errorCode: number, memberId: string): JoinGroupResult {
  return {
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leaderId: '',
    memberId,
    members: [],
  };
}

function syncError(errorCode: number): Promise<SyncGroupResult> {
  return Promise.resolve({ errorCode, assignment: EMPTY });
}

function resolveSync(member: Member, result: SyncGroupResult): void {
  const respond = member.awaitingSync;
  member.awaitingSync = null;
  respond?.(result);
}
