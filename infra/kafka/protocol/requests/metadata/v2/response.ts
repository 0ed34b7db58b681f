import type { Writer } from '../../../writer.ts';
import type { MetadataResponse } from '../handler.ts';
import { writeBrokers, writeTopics } from '../v1/response.ts';

/** v2 adds cluster_id after the brokers. */
export function encode(writer: Writer, response: MetadataResponse): void {
  writeBrokers(writer, response.brokers);
  writer.nullableString(response.clusterId);
  writer.int32(response.controllerId);
  writeTopics(writer, response.topics);
}
