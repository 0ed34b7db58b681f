import type { Writer } from '../../../writer.ts';
import type { MetadataResponse } from '../handler.ts';
import { writeBrokers, writeTopics } from '../v1/response.ts';

/** v5 adds offline_replicas to every partition. */
export function encode(writer: Writer, response: MetadataResponse): void {
  writer.int32(response.throttleTimeMs);
  writeBrokers(writer, response.brokers);
  writer.nullableString(response.clusterId);
  writer.int32(response.controllerId);
  writeTopics(writer, response.topics, (w, partition) => {
    w.array(partition.offlineReplicas, (nw, node) => nw.int32(node));
  });
}
