/**
 * The coordinator's inputs and outputs, independent of any wire version: the request codecs in
 * infra/kafka/protocol/requests/<api>/v<N>/ translate between these and the bytes.
 */

/** Group states, named exactly as Kafka reports them in DescribeGroups. */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface GroupProtocol {
  name: string;
  metadata: Buffer;
}

export interface JoinGroupInput {
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  sessionTimeoutMs: number;
  /** JoinGroup v0 has none: the session timeout doubles as the rebalance timeout there. */
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: GroupProtocol[];
  clientId: string;
  clientHost: string;
  /** JoinGroup v4+: a first join without member id gets MEMBER_ID_REQUIRED and a fresh id. */
  requireKnownMemberId: boolean;
}

export interface JoinGroupMember {
  memberId: string;
  groupInstanceId: string | null;
  metadata: Buffer;
}

export interface JoinGroupResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leaderId: string;
  memberId: string;
  /** Filled for the leader only: every member with its metadata for the chosen protocol. */
  members: JoinGroupMember[];
}

export interface SyncGroupInput {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  /** Sent by the leader only (followers send an empty list). */
  assignments: { memberId: string; assignment: Buffer }[];
}

export interface SyncGroupResult {
  errorCode: number;
  assignment: Buffer;
}

export interface HeartbeatInput {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
}

export interface LeaveGroupInput {
  groupId: string;
  members: { memberId: string; groupInstanceId: string | null }[];
}

export interface LeaveGroupResult {
  errorCode: number;
  members: { memberId: string; groupInstanceId: string | null; errorCode: number }[];
}

export interface OffsetCommitInput {
  groupId: string;
  /** -1 for a "simple" commit by a client that does not use group management. */
  generationId: number;
  memberId: string;
  topics: {
    name: string;
    partitions: { partition: number; offset: number; metadata: string | null }[];
  }[];
}

export interface OffsetCommitResult {
  topics: { name: string; partitions: { partition: number; errorCode: number }[] }[];
}

export interface OffsetFetchInput {
  groupId: string;
  /** null: every partition the group has committed (OffsetFetch v2+). */
  topics: { name: string; partitions: number[] }[] | null;
}

export interface OffsetFetchResult {
  errorCode: number;
  topics: {
    name: string;
    partitions: { partition: number; offset: number; metadata: string; errorCode: number }[];
  }[];
}

export interface GroupListing {
  groupId: string;
  protocolType: string;
  state: GroupState;
}

export interface MemberDescription {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  metadata: Buffer;
  assignment: Buffer;
}

export interface GroupDescription {
  errorCode: number;
  groupId: string;
  state: GroupState;
  protocolType: string;
  protocolName: string;
  members: MemberDescription[];
}
