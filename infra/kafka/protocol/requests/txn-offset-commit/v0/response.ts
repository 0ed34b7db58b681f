/** TxnOffsetCommit Response (Version: 0) => throttle_time_ms [topics => name [partitions => partition_index error_code]] */
import type { Writer } from '../../../writer.ts';
import type { TxnOffsetCommitResponse } from '../handler.ts';

export function encode(writer: Writer, response: TxnOffsetCommitResponse): void {
  writer.int32(response.throttleTimeMs).array(response.topics, (w, topic) => {
    w.string(topic.name).array(topic.partitions, (pw, p) => {
      pw.int32(p.index).int16(p.errorCode);
    });
  });
}
