import type { Reader } from '../../../reader.ts';
import type { InitProducerIdRequest } from '../handler.ts';

/** v1 has the same shape as v0. */
export function decode(reader: Reader): InitProducerIdRequest {
  return { transactionalId: reader.nullableString(), transactionTimeoutMs: reader.int32() };
}
