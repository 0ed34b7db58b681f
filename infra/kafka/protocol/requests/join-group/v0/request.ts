/** JoinGroup Request (Version: 0) => group_id session_timeout_ms member_id protocol_type [protocols] */
import type { Reader } from '../../../reader.ts';
import { type JoinGroupRequest, readProtocols } from '../handler.ts';

export function decode(reader: Reader): JoinGroupRequest {
  const groupId = reader.string();
  const sessionTimeoutMs = reader.int32();
  const memberId = reader.string();
  const protocolType = reader.string();
  const protocols = readProtocols(reader);
  // v0 has no rebalance timeout: Kafka uses the session timeout for both
  return {
    groupId,
    sessionTimeoutMs,
    rebalanceTimeoutMs: sessionTimeoutMs,
    memberId,
    groupInstanceId: null,
    protocolType,
    protocols,
  };
}
