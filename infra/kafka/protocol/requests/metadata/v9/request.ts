import type { Reader } from '../../../reader.ts';
import type { MetadataRequest } from '../handler.ts';

/**
 * v9 is the first flexible version: compact topics array (each topic a compact name and tagged
 * fields), the v8 booleans, then the request's tagged fields.
 */
export function decode(reader: Reader): MetadataRequest {
  const topics = reader.compactNullableArray((topic) => {
    const name = topic.compactString();
    topic.taggedFields();
    return name;
  });
  const allowAutoTopicCreation = reader.boolean();
  reader.boolean();
  reader.boolean();
  reader.taggedFields();
  return { topics, allowAutoTopicCreation };
}
