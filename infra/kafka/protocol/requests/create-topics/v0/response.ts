import type { Writer } from '../../../writer.ts';
import type { CreateTopicsResponse } from '../handler.ts';

/** v0: topics (name, error_code). */
export function encode(writer: Writer, response: CreateTopicsResponse): void {
  writer.array(response.topics, (w, topic) => w.string(topic.name).int16(topic.errorCode));
}
