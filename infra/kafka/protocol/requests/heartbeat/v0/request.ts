/** Heartbeat Request (Version: 0) => group_id generation_id member_id */
import type { Reader } from '../../../reader.ts';
import type { HeartbeatRequest } from '../handler.ts';

export function decode(reader: Reader): HeartbeatRequest {
  return {
    groupId: reader.string(),
    generationId: reader.int32(),
    memberId: reader.string(),
    groupInstanceId: null,
  };
}
