import type { Reader } from '../../../reader.ts';
import type { InitProducerIdRequest } from '../handler.ts';

/** v0: transactional_id, transaction_timeout_ms. */
export function decode(reader: Reader): InitProducerIdRequest {
  return { transactionalId: reader.nullableString(), transactionTimeoutMs: reader.int32() };
}
