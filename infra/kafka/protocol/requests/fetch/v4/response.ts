import type { Writer } from '../../../writer.ts';
import type { FetchResponse } from '../handler.ts';

export interface FetchResponseLayout {
  /** v5+ */
  logStartOffset: boolean;
  /** v7+: error_code and session_id after throttle_time_ms */
  sessions: boolean;
  /** v11+ */
  preferredReadReplica: boolean;
}

export function encodeFetch(writer: Writer, response: FetchResponse, layout: FetchResponseLayout): void {
  writer.int32(response.throttleTimeMs);
  if (layout.sessions) writer.int16(response.errorCode).int32(response.sessionId);
  writer.array(response.topics, (w, topic) => {
    w.string(topic.name);
    w.array(topic.partitions, (pw, partition) => {
      pw.int32(partition.index).int16(partition.errorCode).int64(partition.highWatermark);
      pw.int64(partition.lastStableOffset);
      if (layout.logStartOffset) pw.int64(partition.logStartOffset);
      pw.array(partition.abortedTransactions, (aw, aborted) => {
        aw.int64(aborted.producerId).int64(aborted.firstOffset);
      });
      if (layout.preferredReadReplica) pw.int32(-1);
      pw.bytes(partition.records);
    });
  });
}

/** v4: throttle_time_ms, responses (..., high_watermark, last_stable_offset, aborted_transactions, records). */
export function encode(writer: Writer, response: FetchResponse): void {
  encodeFetch(writer, response, { logStartOffset: false, sessions: false, preferredReadReplica: false });
}
