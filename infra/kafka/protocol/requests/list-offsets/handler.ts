import { ErrorCode } from '../../api-keys.ts';
import type { RequestContext } from '../../context.ts';
import { IsolationLevel } from '../fetch/handler.ts';

export const LATEST_TIMESTAMP = -1;
export const EARLIEST_TIMESTAMP = -2;

export interface ListOffsetsRequest {
  isolationLevel: number;
  topics: Array<{
    name: string;
    partitions: Array<{ index: number; timestamp: number; maxNumOffsets?: number }>;
  }>;
}

export interface ListOffsetsPartitionResponse {
  index: number;
  errorCode: number;
  timestamp: number;
  offset: number;
  /** v0's max_num_offsets, echoed for its encoder */
  maxNumOffsets?: number;
}

export interface ListOffsetsResponse {
  throttleTimeMs: number;
  topics: Array<{ name: string; partitions: ListOffsetsPartitionResponse[] }>;
}

/**
 * -1: the log end offset (the next offset to be written; for read_committed the last stable
 * offset), -2: the log start offset, otherwise the first offset whose timestamp is >= the one
 * asked (offset -1 when every record is older).
 */
export function handleListOffsets(request: ListOffsetsRequest, ctx: RequestContext): ListOffsetsResponse {
  return {
    throttleTimeMs: 0,
    topics: request.topics.map((topic) => ({
      name: topic.name,
      partitions: topic.partitions.map((partition): ListOffsetsPartitionResponse => {
        const log = ctx.broker.topics.partition(topic.name, partition.index);
        const answer = {
          index: partition.index,
          errorCode: ErrorCode.NONE,
          timestamp: -1,
          ...(partition.maxNumOffsets !== undefined ? { maxNumOffsets: partition.maxNumOffsets } : {}),
        };
        if (!log) return { ...answer, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, offset: -1 };
        if (partition.timestamp === LATEST_TIMESTAMP) {
          const readCommitted = request.isolationLevel === IsolationLevel.readCommitted;
          return { ...answer, offset: readCommitted ? log.lastStableOffset : log.nextOffset };
        }
        if (partition.timestamp === EARLIEST_TIMESTAMP) return { ...answer, offset: log.logStartOffset };
        const found = log.offsetForTimestamp(partition.timestamp);
        if (!found) return { ...answer, offset: -1 };
        return { ...answer, timestamp: found.timestamp, offset: found.offset };
      }),
    })),
  };
}
