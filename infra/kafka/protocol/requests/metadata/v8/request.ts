import type { Reader } from '../../../reader.ts';
import type { MetadataRequest } from '../handler.ts';

/**
 * v8 adds include_cluster_authorized_operations and include_topic_authorized_operations (read
 * and answered with "omitted": the broker has no authorizer).
 */
export function decode(reader: Reader): MetadataRequest {
  const topics = reader.nullableArray((r) => r.string());
  const allowAutoTopicCreation = reader.boolean();
  reader.boolean();
  reader.boolean();
  return { topics, allowAutoTopicCreation };
}
