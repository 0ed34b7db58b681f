/**
 * JoinGroup Request (Version: 5) => group_id session_timeout_ms rebalance_timeout_ms member_id
 *   group_instance_id protocol_type [protocols]
 */
import type { Reader } from '../../../reader.ts';
import type { JoinGroupRequest } from '../handler.ts';
import { decodeV1 } from '../v1/request.ts';

export function decode(reader: Reader): JoinGroupRequest {
  return decodeV1(reader, (r) => r.nullableString());
}
