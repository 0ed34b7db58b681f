/**
 * Durable membership of the stable consumer groups: `<groups dir>/membership.json`, one snapshot
 * of every group in the Stable state (generation, protocol, leader, each member with its
 * metadata and assignment), rewritten (temp file + rename) whenever a group completes a
 * rebalance or loses a member.
 *
 * Guarantee: after a broker restart, members that heartbeat within their session timeout keep
 * their member id, generation and assignment, as with Kafka's coordinator failover (Kafka keeps
 * the same facts in __consumer_offsets). Prevents the rebalance every restart would otherwise
 * force on every group. A group caught mid-rebalance comes back at its last stable generation
 * (or, once a member left it, not at all); members past that get ILLEGAL_GENERATION or
 * UNKNOWN_MEMBER_ID and rejoin, as they would anyway.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Member } from './group.ts';

/** A member as kept on disk: its fields (group.ts), with the binary ones as base64. */
export interface StoredMember
  extends Pick<
    Member,
    'groupInstanceId' | 'clientId' | 'clientHost' | 'sessionTimeoutMs' | 'rebalanceTimeoutMs' | 'protocolType'
  > {
  memberId: string;
  protocols: Array<{ name: string; metadata: string }>;
  /** base64 */
  assignment: string;
}

export interface StoredGroup {
  groupId: string;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leaderId: string | null;
  members: StoredMember[];
}

const FILE_NAME = 'membership.json';

export class MembershipStore {
  private readonly path: string;

  constructor(directory: string) {
    mkdirSync(directory, { recursive: true });
    this.path = join(directory, FILE_NAME);
  }

  load(): StoredGroup[] {
    if (!existsSync(this.path)) return [];
    try {
      return JSON.parse(readFileSync(this.path, 'utf8')) as StoredGroup[];
    } catch {
      // written by rename, so never torn; an unreadable file only costs the members a rejoin
      return [];
    }
  }

  save(groups: StoredGroup[]): void {
    const temp = `${this.path}.tmp`;
    writeFileSync(temp, JSON.stringify(groups));
    renameSync(temp, this.path);
  }
}
