import type { Writer } from '../../../writer.ts';
import type { ProduceResponse } from '../handler.ts';
import { writeResponses } from '../v3/response.ts';

/** v5 adds log_start_offset to every partition. */
export function encode(writer: Writer, response: ProduceResponse): void {
  writeResponses(writer, response, (w, partition) => w.int64(partition.logStartOffset));
  writer.int32(response.throttleTimeMs);
}
