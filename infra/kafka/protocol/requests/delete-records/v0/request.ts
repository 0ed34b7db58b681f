/** DeleteRecords Request (Version: 0) => [topics => name [partitions => partition_index offset]] timeout_ms */
import type { Reader } from '../../../reader.ts';
import type { DeleteRecordsRequest } from '../handler.ts';

export function decode(reader: Reader): DeleteRecordsRequest {
  return {
    topics: reader.topics((p) => ({ index: p.int32(), offset: p.int64Number() })),
    timeoutMs: reader.int32(),
  };
}
