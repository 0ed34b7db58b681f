/** AddOffsetsToTxn Request (Version: 0) => transactional_id producer_id producer_epoch group_id */
import type { Reader } from '../../../reader.ts';
import type { AddOffsetsToTxnRequest } from '../handler.ts';

export function decode(reader: Reader): AddOffsetsToTxnRequest {
  return {
    transactionalId: reader.string(),
    producerId: reader.int64Number(),
    producerEpoch: reader.int16(),
    groupId: reader.string(),
  };
}
