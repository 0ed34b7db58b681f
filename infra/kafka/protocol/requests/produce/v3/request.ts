import type { Reader } from '../../../reader.ts';
import type { ProduceRequest } from '../handler.ts';

/** v3 (first version with RecordBatch v2): transactional_id, acks, timeout_ms, topic_data. */
export function decode(reader: Reader): ProduceRequest {
  return {
    transactionalId: reader.nullableString(),
    acks: reader.int16(),
    timeoutMs: reader.int32(),
    topics: reader.topics((partition) => ({ index: partition.int32(), records: partition.nullableBytes() })),
  };
}
