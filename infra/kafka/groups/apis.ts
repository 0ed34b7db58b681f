/**
 * Every consumer-group API version, for the broker's registry (protocol/requests/index.ts).
 * Advertised ranges: FindCoordinator 0-2, JoinGroup 0-5, SyncGroup 0-3, Heartbeat 0-3,
 * LeaveGroup 0-3, OffsetCommit 0-5, OffsetFetch 0-4, ListGroups 0-2, DescribeGroups 0-2,
 * DeleteGroups 0-1:
 * the non-flexible versions, which cover the highest ones kafkajs 2.2.4 uses and what
 * librdkafka 2.x picks when it negotiates (the highest version both sides support).
 */
import type { ApiVersionHandler } from '../protocol/registry.ts';
import { deleteGroupsApis } from '../protocol/requests/delete-groups/index.ts';
import { describeGroupsApis } from '../protocol/requests/describe-groups/index.ts';
import { findCoordinatorApis } from '../protocol/requests/find-coordinator/index.ts';
import { heartbeatApis } from '../protocol/requests/heartbeat/index.ts';
import { joinGroupApis } from '../protocol/requests/join-group/index.ts';
import { leaveGroupApis } from '../protocol/requests/leave-group/index.ts';
import { listGroupsApis } from '../protocol/requests/list-groups/index.ts';
import { offsetCommitApis } from '../protocol/requests/offset-commit/index.ts';
import { offsetFetchApis } from '../protocol/requests/offset-fetch/index.ts';
import { syncGroupApis } from '../protocol/requests/sync-group/index.ts';

export const groupApiVersions: readonly ApiVersionHandler[] = [
  ...findCoordinatorApis,
  ...joinGroupApis,
  ...syncGroupApis,
  ...heartbeatApis,
  ...leaveGroupApis,
  ...offsetCommitApis,
  ...offsetFetchApis,
  ...listGroupsApis,
  ...describeGroupsApis,
  ...deleteGroupsApis,
];
