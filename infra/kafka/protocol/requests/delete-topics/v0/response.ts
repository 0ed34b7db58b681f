import type { Writer } from '../../../writer.ts';
import type { DeleteTopicsResponse } from '../handler.ts';

export function writeResponses(writer: Writer, response: DeleteTopicsResponse): void {
  writer.array(response.responses, (w, topic) => w.string(topic.name).int16(topic.errorCode));
}

/** v0: responses (name, error_code). */
export function encode(writer: Writer, response: DeleteTopicsResponse): void {
  writeResponses(writer, response);
}
