import type { Reader } from '../../../reader.ts';
import type { MetadataRequest } from '../handler.ts';

/** Same shape as v4. */
export function decode(reader: Reader): MetadataRequest {
  const topics = reader.nullableArray((r) => r.string());
  return { topics, allowAutoTopicCreation: reader.boolean() };
}
