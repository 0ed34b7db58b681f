import type { Writer } from '../../../writer.ts';
import type { ListOffsetsResponse } from '../handler.ts';

export function writeTopics(writer: Writer, response: ListOffsetsResponse): void {
  writer.array(response.topics, (w, topic) => {
    w.string(topic.name);
    w.array(topic.partitions, (pw, partition) => {
      pw.int32(partition.index).int16(partition.errorCode).int64(partition.timestamp).int64(partition.offset);
    });
  });
}

/** v1: topics (partition_index, error_code, timestamp, offset). */
export function encode(writer: Writer, response: ListOffsetsResponse): void {
  writeTopics(writer, response);
}
