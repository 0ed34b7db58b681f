/** EndTxn Request (Version: 0) => transactional_id producer_id producer_epoch committed */
import type { Reader } from '../../../reader.ts';
import type { EndTxnRequest } from '../handler.ts';

export function decode(reader: Reader): EndTxnRequest {
  return {
    transactionalId: reader.string(),
    producerId: reader.int64Number(),
    producerEpoch: reader.int16(),
    committed: reader.boolean(),
  };
}
