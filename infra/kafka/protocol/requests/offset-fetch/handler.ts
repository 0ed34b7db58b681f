/** OffsetFetch: a group's committed positions; -1 where nothing was committed. */
import { coordinatorOf } from '../../../groups/index.ts';
import type { OffsetFetchInput, OffsetFetchResult } from '../../../groups/types.ts';
import { ErrorCode } from '../../api-keys.ts';
import type { RequestContext } from '../../context.ts';
import type { Reader } from '../../reader.ts';
import type { Writer } from '../../writer.ts';

export type OffsetFetchRequest = OffsetFetchInput;

export function handleOffsetFetch(request: OffsetFetchRequest, ctx: RequestContext): OffsetFetchResult {
  const coordinator = coordinatorOf(ctx);
  if (coordinator === undefined) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, topics: [] };
  return coordinator.fetchOffsets(request);
}

/** topics => name [partition_indexes]; null (v2+) asks for every committed partition */
export function readTopics(reader: Reader): OffsetFetchRequest['topics'] {
  return reader.nullableArray((r) => ({ name: r.string(), partitions: r.array((p) => p.int32()) }));
}

/**
 * topics => name [partitions => partition_index committed_offset metadata error_code] (v0-v4).
 * v0/v1 have no group-level error code: a group failure is reported on every partition.
 */
export function writeTopics(
  writer: Writer,
  response: OffsetFetchResult,
  groupErrorInPartitions: boolean,
): void {
  writer.array(response.topics, (w, topic) => {
    w.string(topic.name).array(topic.partitions, (pw, p) => {
      const errorCode =
        groupErrorInPartitions && response.errorCode !== ErrorCode.NONE ? response.errorCode : p.errorCode;
      pw.int32(p.partition).int64(p.offset).nullableString(p.metadata).int16(errorCode);
    });
  });
}
