import type { Reader } from '../../../reader.ts';
import type { ProduceRequest } from '../handler.ts';

/** Same shape as v3. */
export function decode(reader: Reader): ProduceRequest {
  return {
    transactionalId: reader.nullableString(),
    acks: reader.int16(),
    timeoutMs: reader.int32(),
    topics: reader.array((topic) => ({
      name: topic.string(),
      partitions: topic.array((partition) => ({
        index: partition.int32(),
        records: partition.nullableBytes(),
      })),
    })),
  };
}
