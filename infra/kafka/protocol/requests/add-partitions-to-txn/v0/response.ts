/** AddPartitionsToTxn Response (Version: 0) => throttle_time_ms [results => name [results => partition_index error_code]] */
import type { Writer } from '../../../writer.ts';
import type { AddPartitionsToTxnResponse } from '../handler.ts';

export function encode(writer: Writer, response: AddPartitionsToTxnResponse): void {
  writer.int32(response.throttleTimeMs).array(response.results, (w, topic) => {
    w.string(topic.name).array(topic.partitions, (pw, p) => {
      pw.int32(p.index).int16(p.errorCode);
    });
  });
}
