/** JoinGroup Request (Version: 1) => group_id session_timeout_ms rebalance_timeout_ms member_id protocol_type [protocols] */
import type { Reader } from '../../../reader.ts';
import { type JoinGroupRequest, readProtocols } from '../handler.ts';

export function decode(reader: Reader): JoinGroupRequest {
  return decodeV1(reader, () => null);
}

/** The v1 fields; v5 adds group_instance_id after member_id (read by `instanceId`). */
export function decodeV1(reader: Reader, instanceId: (reader: Reader) => string | null): JoinGroupRequest {
  return {
    groupId: reader.string(),
    sessionTimeoutMs: reader.int32(),
    rebalanceTimeoutMs: reader.int32(),
    memberId: reader.string(),
    groupInstanceId: instanceId(reader),
    protocolType: reader.string(),
    protocols: readProtocols(reader),
  };
}
