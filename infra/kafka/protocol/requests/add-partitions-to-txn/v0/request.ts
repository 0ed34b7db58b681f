/** AddPartitionsToTxn Request (Version: 0) => transactional_id producer_id producer_epoch [topics => name [partitions]] */
import type { Reader } from '../../../reader.ts';
import type { AddPartitionsToTxnRequest } from '../handler.ts';

export function decode(reader: Reader): AddPartitionsToTxnRequest {
  return {
    transactionalId: reader.string(),
    producerId: reader.int64Number(),
    producerEpoch: reader.int16(),
    topics: reader.topics((p) => p.int32()),
  };
}
