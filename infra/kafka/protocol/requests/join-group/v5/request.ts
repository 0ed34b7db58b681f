/**
 * JoinGroup Request (Version: 5) => group_id session_timeout_ms rebalance_timeout_ms member_id
 *   group_instance_id protocol_type [protocols]
 */
import type { Reader } from '../../../reader.ts';
import { type JoinGroupRequest, readProtocols } from '../handler.ts';

export function decode(reader: Reader): JoinGroupRequest {
  return {
    groupId: reader.string(),
    sessionTimeoutMs: reader.int32(),
    rebalanceTimeoutMs: reader.int32(),
    memberId: reader.string(),
    groupInstanceId: reader.nullableString(),
    protocolType: reader.string(),
    protocols: readProtocols(reader),
  };
}
