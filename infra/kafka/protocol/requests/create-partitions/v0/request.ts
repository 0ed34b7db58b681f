/**
 * CreatePartitions Request (Version: 0) => [topics] timeout_ms validate_only
 *   topics => name count [assignments => [broker_ids]] (assignments nullable)
 */
import type { Reader } from '../../../reader.ts';
import type { CreatePartitionsRequest } from '../handler.ts';

export function decode(reader: Reader): CreatePartitionsRequest {
  return {
    topics: reader.array((topic) => ({
      name: topic.string(),
      count: topic.int32(),
      assignments: topic.nullableArray((assignment) => assignment.array((broker) => broker.int32())),
    })),
    timeoutMs: reader.int32(),
    validateOnly: reader.boolean(),
  };
}
