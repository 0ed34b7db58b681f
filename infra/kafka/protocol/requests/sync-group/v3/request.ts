/** SyncGroup Request (Version: 3) => group_id generation_id member_id group_instance_id [assignments] */
import type { Reader } from '../../../reader.ts';
import { readAssignments, type SyncGroupRequest } from '../handler.ts';

export function decode(reader: Reader): SyncGroupRequest {
  return {
    groupId: reader.string(),
    generationId: reader.int32(),
    memberId: reader.string(),
    groupInstanceId: reader.nullableString(),
    assignments: readAssignments(reader),
  };
}
