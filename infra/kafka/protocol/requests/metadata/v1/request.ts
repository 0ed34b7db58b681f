import type { Reader } from '../../../reader.ts';
import type { MetadataRequest } from '../handler.ts';

/** v1: topics nullable array (null = all topics); auto-creation is implied. */
export function decode(reader: Reader): MetadataRequest {
  return { topics: reader.nullableArray((r) => r.string()), allowAutoTopicCreation: true };
}
