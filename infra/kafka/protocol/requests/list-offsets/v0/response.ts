import type { Writer } from '../../../writer.ts';
import type { ListOffsetsResponse } from '../handler.ts';

/**
 * v0: topics (partition_index, error_code, old_style_offsets). The list holds the one offset the
 * later versions answer (none when there is none or max_num_offsets is 0); Kafka's v0 could add
 * segment base offsets after it, which no client of this lab reads.
 */
export function encode(writer: Writer, response: ListOffsetsResponse): void {
  writer.array(response.topics, (w, topic) => {
    w.string(topic.name);
    w.array(topic.partitions, (pw, partition) => {
      const offsets = partition.offset >= 0 && partition.maxNumOffsets !== 0 ? [partition.offset] : [];
      pw.int32(partition.index)
        .int16(partition.errorCode)
        .array(offsets, (ow, offset) => ow.int64(offset));
    });
  });
}
