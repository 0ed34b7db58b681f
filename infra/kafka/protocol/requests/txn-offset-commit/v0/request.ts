/**
 * TxnOffsetCommit Request (Version: 0) => transactional_id group_id producer_id producer_epoch
 *   [topics => name [partitions => partition_index committed_offset committed_metadata]]
 */
import type { Reader } from '../../../reader.ts';
import type { TxnOffsetCommitRequest } from '../handler.ts';

export function decode(reader: Reader): TxnOffsetCommitRequest {
  return {
    transactionalId: reader.string(),
    groupId: reader.string(),
    producerId: reader.int64Number(),
    producerEpoch: reader.int16(),
    topics: reader.topics((p) => ({
      index: p.int32(),
      committedOffset: p.int64Number(),
      metadata: p.nullableString(),
    })),
  };
}
