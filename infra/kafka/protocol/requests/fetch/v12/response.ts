import type { Writer } from '../../../writer.ts';
import type { FetchResponse } from '../handler.ts';

/**
 * v12: the v11 fields, compact, with tagged fields per structure (the partition's optional
 * diverging_epoch, current_leader and snapshot_id tags are never sent: one broker, no epochs to
 * diverge from) and a nullable compact aborted-transactions list.
 */
export function encode(writer: Writer, response: FetchResponse): void {
  writer.int32(response.throttleTimeMs).int16(response.errorCode).int32(response.sessionId);
  writer.compactArray(response.topics, (w, topic) => {
    w.compactString(topic.name);
    w.compactArray(topic.partitions, (pw, partition) => {
      pw.int32(partition.index).int16(partition.errorCode).int64(partition.highWatermark);
      pw.int64(partition.lastStableOffset).int64(partition.logStartOffset);
      pw.compactNullableArray(partition.abortedTransactions, (aw, aborted) => {
        aw.int64(aborted.producerId).int64(aborted.firstOffset).taggedFields();
      });
      pw.int32(-1); // preferred_read_replica
      pw.compactNullableBytes(partition.records);
      pw.taggedFields();
    });
    w.taggedFields();
  });
  writer.taggedFields();
}
