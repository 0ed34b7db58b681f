import type { Writer } from '../../../writer.ts';
import type { CreateTopicsResponse } from '../handler.ts';

export function writeTopics(writer: Writer, response: CreateTopicsResponse): void {
  writer.array(response.topics, (w, topic) => {
    w.string(topic.name).int16(topic.errorCode).nullableString(topic.errorMessage);
  });
}

/** v1 adds error_message. */
export function encode(writer: Writer, response: CreateTopicsResponse): void {
  writeTopics(writer, response);
}
