import type { Writer } from '../../../writer.ts';
import type { MetadataResponse } from '../handler.ts';
import { AUTHORIZED_OPERATIONS_OMITTED, encodeV7 } from '../v7/response.ts';

/** v8 = v7 + topic_authorized_operations per topic and cluster_authorized_operations at the end. */
export function encode(writer: Writer, response: MetadataResponse): void {
  encodeV7(writer, response, true);
  writer.int32(AUTHORIZED_OPERATIONS_OMITTED);
}
