import type { Writer } from '../../../writer.ts';
import type { ProduceResponse } from '../handler.ts';
import { writeResponses } from '../v3/response.ts';

/**
 * v8 adds record_errors and error_message to every partition (KIP-467). A refused partition is
 * refused whole here (every batch is checked before any is appended), so record_errors stays
 * empty and error_message null, which is what Kafka sends for errors not tied to one record.
 */
export function encode(writer: Writer, response: ProduceResponse): void {
  writeResponses(writer, response, (w, partition) => {
    w.int64(partition.logStartOffset);
    w.array([], () => {});
    w.nullableString(null);
  });
  writer.int32(response.throttleTimeMs);
}
