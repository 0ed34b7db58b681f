import type { Writer } from '../../../writer.ts';
import type { MetadataResponse } from '../handler.ts';
import { writeBrokers } from '../v1/response.ts';
import { AUTHORIZED_OPERATIONS_OMITTED, writeTopicsV7 } from '../v7/response.ts';

/** v8 adds topic_authorized_operations per topic and cluster_authorized_operations at the end. */
export function encode(writer: Writer, response: MetadataResponse): void {
  writer.int32(response.throttleTimeMs);
  writeBrokers(writer, response.brokers);
  writer.nullableString(response.clusterId);
  writer.int32(response.controllerId);
  writeTopicsV7(writer, response, true);
  writer.int32(AUTHORIZED_OPERATIONS_OMITTED);
}
