import type { PartitionLog } from '../../../log/partition-log.ts';
import { ErrorCode } from '../../api-keys.ts';
import type { RequestContext } from '../../context.ts';
import { MalformedFrameError } from '../../reader.ts';
import {
  batchCrcIsValid,
  Compression,
  compressionOf,
  isControl,
  isTransactional,
  readBatchHeader,
  splitBatches,
} from '../../records.ts';
import { NO_RESPONSE, type NoResponse } from '../../registry.ts';

export interface ProduceRequest {
  transactionalId: string | null;
  acks: number;
  timeoutMs: number;
  topics: Array<{ name: string; partitions: Array<{ index: number; records: Buffer | null }> }>;
}

export interface ProducePartitionResponse {
  index: number;
  errorCode: number;
  baseOffset: number;
  logAppendTimeMs: number;
  logStartOffset: number;
}

export interface ProduceResponse {
  topics: Array<{ name: string; partitions: ProducePartitionResponse[] }>;
  throttleTimeMs: number;
}

function failure(index: number, errorCode: number): ProducePartitionResponse {
  return { index, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1 };
}

/** Checks every batch of the partition's records before anything is appended. */
function validate(records: Buffer | null, maxMessageBytes: number): { errorCode: number; batches: Buffer[] } {
  if (!records || records.length === 0) return { errorCode: ErrorCode.CORRUPT_MESSAGE, batches: [] };
  let batches: Buffer[];
  try {
    const split = splitBatches(records);
    if (split.partialTail > 0 || split.batches.length === 0) {
      return { errorCode: ErrorCode.CORRUPT_MESSAGE, batches: [] };
    }
    batches = split.batches;
  } catch (error) {
    if (error instanceof MalformedFrameError) return { errorCode: ErrorCode.CORRUPT_MESSAGE, batches: [] };
    throw error;
  }
  for (const batch of batches) {
    if (batch.length > maxMessageBytes) return { errorCode: ErrorCode.MESSAGE_TOO_LARGE, batches: [] };
    const header = readBatchHeader(batch);
    if (header.magic !== 2) return { errorCode: ErrorCode.UNSUPPORTED_FOR_MESSAGE_FORMAT, batches: [] };
    if (!batchCrcIsValid(batch)) return { errorCode: ErrorCode.CORRUPT_MESSAGE, batches: [] };
    if (compressionOf(header) > Compression.zstd) {
      return { errorCode: ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, batches: [] };
    }
    if (header.recordCount <= 0 || header.lastOffsetDelta !== header.recordCount - 1) {
      return { errorCode: ErrorCode.INVALID_RECORD, batches: [] };
    }
    // markers are the coordinator's to write; a client-sent control batch is refused, as in Kafka
    if (isControl(header)) return { errorCode: ErrorCode.INVALID_RECORD, batches: [] };
  }
  return { errorCode: ErrorCode.NONE, batches };
}

function appendPartition(log: PartitionLog, batches: Buffer[], index: number): ProducePartitionResponse {
  let baseOffset = -1;
  for (const batch of batches) {
    const result = log.append(batch);
    if (result.kind === 'error') return failure(index, result.errorCode);
    if (baseOffset === -1) baseOffset = result.baseOffset;
  }
  return {
    index,
    errorCode: ErrorCode.NONE,
    baseOffset,
    logAppendTimeMs: -1,
    logStartOffset: log.logStartOffset,
  };
}

/**
 * A transactional batch is accepted only from the current epoch of a producer whose open
 * transaction added this partition: a zombie is fenced, and no batch lands where no marker
 * would ever end it (which would hold the last stable offset back forever).
 */
function transactionalProblem(
  ctx: RequestContext,
  batches: Buffer[],
  topic: string,
  partition: number,
): number {
  for (const batch of batches) {
    const header = readBatchHeader(batch);
    if (!isTransactional(header)) continue;
    const errorCode = ctx.broker.transactions.verifyWrite(
      header.producerId,
      header.producerEpoch,
      topic,
      partition,
    );
    if (errorCode !== ErrorCode.NONE) return errorCode;
  }
  return ErrorCode.NONE;
}

/**
 * Appends synchronously, so acks=1 and acks=-1 both answer once the batch is in the log file
 * (the only replica). acks=0 gets no response at all, as the protocol says.
 */
export function handleProduce(request: ProduceRequest, ctx: RequestContext): ProduceResponse | NoResponse {
  const { broker } = ctx;
  const validAcks = request.acks === 0 || request.acks === 1 || request.acks === -1;
  const topics = request.topics.map((topic) => {
    const exists = broker.ensureTopic(topic.name, true);
    return {
      name: topic.name,
      partitions: topic.partitions.map((partition): ProducePartitionResponse => {
        if (!validAcks) return failure(partition.index, ErrorCode.INVALID_REQUIRED_ACKS);
        const log = exists ? broker.topics.partition(topic.name, partition.index) : undefined;
        if (!log) return failure(partition.index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
        const { errorCode, batches } = validate(partition.records, log.config.maxMessageBytes);
        if (errorCode !== ErrorCode.NONE) {
          ctx.logger.debug({ topic: topic.name, partition: partition.index, errorCode }, 'produce refused');
          return failure(partition.index, errorCode);
        }
        const fenced = transactionalProblem(ctx, batches, topic.name, partition.index);
        if (fenced !== ErrorCode.NONE) return failure(partition.index, fenced);
        return appendPartition(log, batches, partition.index);
      }),
    };
  });
  if (request.acks === 0) return NO_RESPONSE;
  return { topics, throttleTimeMs: 0 };
}
