/**
 * One consumer group's membership and generation. Pure data plus the small rules that only look
 * at the group itself (protocol support and selection); the transitions live in coordinator.ts.
 */
import type { GroupProtocol, GroupState, JoinGroupResult, SyncGroupResult } from './types.ts';

export interface Member {
  readonly memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: GroupProtocol[];
  assignment: Buffer;
  /** Set while the member's JoinGroup is held until the rebalance completes. */
  awaitingJoin: ((result: JoinGroupResult) => void) | null;
  /** Set while the member's SyncGroup is held until the leader's assignment arrives. */
  awaitingSync: ((result: SyncGroupResult) => void) | null;
  sessionTimer: NodeJS.Timeout | null;
}

export class Group {
  readonly groupId: string;
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  /** Insertion-ordered: the first member is the natural leader when one must be re-elected. */
  readonly members = new Map<string, Member>();
  /** Member ids handed out with MEMBER_ID_REQUIRED that have not joined yet, with their expiry. */
  readonly pendingMembers = new Map<string, NodeJS.Timeout>();
  /** Fires when the rebalance timeout expires: the join completes without the stragglers. */
  joinTimer: NodeJS.Timeout | null = null;
  /** Initial rebalance delay of an empty group: the join does not complete before this time. */
  joinNotBefore = 0;

  constructor(groupId: string) {
    this.groupId = groupId;
  }

  /** Whether every known member has a JoinGroup waiting and nobody is between 79 and rejoin. */
  allMembersJoined(): boolean {
    if (this.pendingMembers.size > 0) return false;
    for (const member of this.members.values()) if (member.awaitingJoin === null) return false;
    return true;
  }

  /** The longest rebalance timeout of the members: how long a rebalance waits for rejoins. */
  rebalanceTimeoutMs(): number {
    let longest = 0;
    for (const member of this.members.values()) {
      longest = Math.max(longest, member.rebalanceTimeoutMs);
    }
    return longest;
  }

  /** Kafka's rule: a newcomer must speak the group's protocol type and one protocol everybody speaks. */
  supportsProtocols(protocolType: string, protocols: readonly GroupProtocol[]): boolean {
    if (protocolType === '' || protocols.length === 0) return false;
    if (this.members.size === 0) return true;
    if (protocolType !== this.protocolType) return false;
    const common = this.commonProtocols();
    return protocols.some((protocol) => common.has(protocol.name));
  }

  private commonProtocols(): Set<string> {
    const [first, ...rest] = [...this.members.values()];
    if (first === undefined) return new Set();
    const common = new Set(first.protocols.map((protocol) => protocol.name));
    for (const member of rest) {
      const names = new Set(member.protocols.map((protocol) => protocol.name));
      for (const name of common) if (!names.has(name)) common.delete(name);
    }
    return common;
  }

  /** The first protocol, in the leader's order of preference, that every member supports. */
  selectProtocol(): string {
    const common = this.commonProtocols();
    const leader = this.leaderId === null ? undefined : this.members.get(this.leaderId);
    const preference = leader?.protocols ?? [...this.members.values()][0]?.protocols ?? [];
    const chosen = preference.find((protocol) => common.has(protocol.name));
    // supportsProtocols() keeps at least one common protocol, so this fallback is defensive only
    return chosen?.name ?? preference[0]?.name ?? '';
  }

  metadataFor(member: Member, protocolName: string | null): Buffer {
    return member.protocols.find((protocol) => protocol.name === protocolName)?.metadata ?? EMPTY;
  }
}

export const EMPTY = Buffer.alloc(0);

export function sameProtocols(a: readonly GroupProtocol[], b: readonly GroupProtocol[]): boolean {
  if (a.length !== b.length) return false;
  return a.every((protocol, index) => {
    const other = b[index];
    return other !== undefined && other.name === protocol.name && other.metadata.equals(protocol.metadata);
  });
}
