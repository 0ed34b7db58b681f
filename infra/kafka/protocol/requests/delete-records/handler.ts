/**
 * DeleteRecords: moves a partition's log start offset (-1: to the high watermark); segments
 * wholly below it are removed, fetches below it answer OFFSET_OUT_OF_RANGE.
 */
import { ErrorCode } from '../../api-keys.ts';
import type { RequestContext } from '../../context.ts';

const HIGH_WATERMARK = -1;

export interface DeleteRecordsRequest {
  topics: Array<{ name: string; partitions: Array<{ index: number; offset: number }> }>;
  timeoutMs: number;
}

export interface DeleteRecordsResponse {
  throttleTimeMs: number;
  topics: Array<{
    name: string;
    partitions: Array<{ index: number; lowWatermark: number; errorCode: number }>;
  }>;
}

export function handleDeleteRecords(
  request: DeleteRecordsRequest,
  ctx: RequestContext,
): DeleteRecordsResponse {
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map(({ index, offset }) => {
        const log = ctx.broker.topics.partition(topic.name, index);
        if (!log) return { index, lowWatermark: -1, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION };
        const target = offset === HIGH_WATERMARK ? log.nextOffset : offset;
        if (target < 0 || target > log.nextOffset) {
          return { index, lowWatermark: -1, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE };
        }
        log.deleteRecordsBefore(target);
        return { index, lowWatermark: log.logStartOffset, errorCode: ErrorCode.NONE };
      }),
    })),
  };
}
