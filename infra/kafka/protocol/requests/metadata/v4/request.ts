import type { Reader } from '../../../reader.ts';
import type { MetadataRequest } from '../handler.ts';

/** v4 adds allow_auto_topic_creation. */
export function decode(reader: Reader): MetadataRequest {
  const topics = reader.nullableArray((r) => r.string());
  return { topics, allowAutoTopicCreation: reader.boolean() };
}
