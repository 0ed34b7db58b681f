import type { Writer } from '../../../writer.ts';
import type { MetadataBroker, MetadataPartition, MetadataResponse, MetadataTopic } from '../handler.ts';

export function writeBrokers(writer: Writer, brokers: MetadataBroker[]): void {
  writer.array(brokers, (w, broker) => {
    w.int32(broker.nodeId).string(broker.host).int32(broker.port).nullableString(broker.rack);
  });
}

export function writeTopics(
  writer: Writer,
  topics: MetadataTopic[],
  writePartitionExtras: (w: Writer, partition: MetadataPartition) => void = () => {},
): void {
  writer.array(topics, (w, topic) => {
    w.int16(topic.errorCode).string(topic.name).boolean(topic.isInternal);
    w.array(topic.partitions, (pw, partition) => {
      pw.int16(partition.errorCode).int32(partition.partitionIndex).int32(partition.leaderId);
      pw.array(partition.replicaNodes, (nw, node) => nw.int32(node));
      pw.array(partition.isrNodes, (nw, node) => nw.int32(node));
      writePartitionExtras(pw, partition);
    });
  });
}

/** v1: brokers (with rack), controller_id, topics (with is_internal). */
export function encode(writer: Writer, response: MetadataResponse): void {
  writeBrokers(writer, response.brokers);
  writer.int32(response.controllerId);
  writeTopics(writer, response.topics);
}
