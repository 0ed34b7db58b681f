import type { Writer } from '../../../writer.ts';
import type { ProducePartitionResponse, ProduceResponse } from '../handler.ts';

export function writeResponses(
  writer: Writer,
  response: ProduceResponse,
  writePartitionExtras: (w: Writer, partition: ProducePartitionResponse) => void = () => {},
): void {
  writer.array(response.topics, (w, topic) => {
    w.string(topic.name);
    w.array(topic.partitions, (pw, partition) => {
      pw.int32(partition.index)
        .int16(partition.errorCode)
        .int64(partition.baseOffset)
        .int64(partition.logAppendTimeMs);
      writePartitionExtras(pw, partition);
    });
  });
}

/** v3: responses (index, error_code, base_offset, log_append_time_ms), throttle_time_ms. */
export function encode(writer: Writer, response: ProduceResponse): void {
  writeResponses(writer, response);
  writer.int32(response.throttleTimeMs);
}
