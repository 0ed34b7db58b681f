import type { Writer } from '../../../writer.ts';
import type { MetadataResponse } from '../handler.ts';
import { writeBrokers } from '../v1/response.ts';

/** Leader epoch of every partition: a single broker that never changes leaders reports 0. */
export const LEADER_EPOCH = 0;

/** v7 adds leader_epoch to every partition, after leader_id. */
export function encode(writer: Writer, response: MetadataResponse): void {
  encodeV7(writer, response, false);
}

/** The v7 response; v8 asks for topic_authorized_operations in each topic. */
export function encodeV7(writer: Writer, response: MetadataResponse, authorizedOperations: boolean): void {
  writer.int32(response.throttleTimeMs);
  writeBrokers(writer, response.brokers);
  writer.nullableString(response.clusterId);
  writer.int32(response.controllerId);
  writeTopicsV7(writer, response, authorizedOperations);
}

/**
 * Topics of v7-v8: partitions gain leader_epoch after leader_id; v8 adds
 * topic_authorized_operations after each topic's partitions.
 */
export function writeTopicsV7(
  writer: Writer,
  response: MetadataResponse,
  authorizedOperations: boolean,
): void {
  writer.array(response.topics, (w, topic) => {
    w.int16(topic.errorCode).string(topic.name).boolean(topic.isInternal);
    w.array(topic.partitions, (pw, partition) => {
      pw.int16(partition.errorCode)
        .int32(partition.partitionIndex)
        .int32(partition.leaderId)
        .int32(LEADER_EPOCH);
      pw.array(partition.replicaNodes, (nw, node) => nw.int32(node));
      pw.array(partition.isrNodes, (nw, node) => nw.int32(node));
      pw.array(partition.offlineReplicas, (nw, node) => nw.int32(node));
    });
    if (authorizedOperations) w.int32(AUTHORIZED_OPERATIONS_OMITTED);
  });
}

/** What Kafka answers when authorized operations were not asked for (or are unknown). */
export const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;
