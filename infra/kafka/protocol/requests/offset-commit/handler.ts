/** OffsetCommit: stores a group's consumed positions durably (see groups/offset-store.ts). */
import { coordinatorOf } from '../../../groups/index.ts';
import type { OffsetCommitInput, OffsetCommitResult } from '../../../groups/types.ts';
import { ErrorCode } from '../../api-keys.ts';
import type { RequestContext } from '../../context.ts';
import type { Writer } from '../../writer.ts';

export type OffsetCommitRequest = OffsetCommitInput;

export function handleOffsetCommit(request: OffsetCommitRequest, ctx: RequestContext): OffsetCommitResult {
  const coordinator = coordinatorOf(ctx);
  if (coordinator === undefined) {
    return {
      topics: request.topics.map((topic) => ({
        name: topic.name,
        partitions: topic.partitions.map((p) => ({
          partition: p.partition,
          errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE,
        })),
      })),
    };
  }
  return coordinator.commitOffsets(request);
}

/** topics => name [partitions => partition_index error_code], the same in v0-v7 */
export function writeTopics(writer: Writer, response: OffsetCommitResult): void {
  writer.array(response.topics, (w, topic) => {
    w.string(topic.name).array(topic.partitions, (pw, p) => {
      pw.int32(p.partition).int16(p.errorCode);
    });
  });
}
