import type { Writer } from '../../../writer.ts';
import type { MetadataResponse } from '../handler.ts';
import { AUTHORIZED_OPERATIONS_OMITTED, LEADER_EPOCH } from '../v7/response.ts';

/** v9: the v8 fields with compact strings and arrays and a tagged-field section per structure. */
export function encode(writer: Writer, response: MetadataResponse): void {
  writer.int32(response.throttleTimeMs);
  writer.compactArray(response.brokers, (w, broker) => {
    w.int32(broker.nodeId).compactString(broker.host).int32(broker.port).compactNullableString(broker.rack);
    w.taggedFields();
  });
  writer.compactNullableString(response.clusterId).int32(response.controllerId);
  writer.compactArray(response.topics, (w, topic) => {
    w.int16(topic.errorCode).compactString(topic.name).boolean(topic.isInternal);
    w.compactArray(topic.partitions, (pw, partition) => {
      pw.int16(partition.errorCode)
        .int32(partition.partitionIndex)
        .int32(partition.leaderId)
        .int32(LEADER_EPOCH);
      pw.compactArray(partition.replicaNodes, (nw, node) => nw.int32(node));
      pw.compactArray(partition.isrNodes, (nw, node) => nw.int32(node));
      pw.compactArray(partition.offlineReplicas, (nw, node) => nw.int32(node));
      pw.taggedFields();
    });
    w.int32(AUTHORIZED_OPERATIONS_OMITTED).taggedFields();
  });
  writer.int32(AUTHORIZED_OPERATIONS_OMITTED).taggedFields();
}
