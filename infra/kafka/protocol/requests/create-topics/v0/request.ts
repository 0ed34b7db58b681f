import type { Reader } from '../../../reader.ts';
import type { CreatableTopic, CreateTopicsRequest } from '../handler.ts';

export function decodeCreateTopics(reader: Reader, withValidateOnly: boolean): CreateTopicsRequest {
  const topics = reader.array(
    (topic): CreatableTopic => ({
      name: topic.string(),
      numPartitions: topic.int32(),
      replicationFactor: topic.int16(),
      assignments: topic.array((assignment) => ({
        partitionIndex: assignment.int32(),
        brokerIds: assignment.array((id) => id.int32()),
      })),
      configs: Object.fromEntries(topic.array((config) => [config.string(), config.nullableString()])),
    }),
  );
  const timeoutMs = reader.int32();
  const validateOnly = withValidateOnly ? reader.boolean() : false;
  return { topics, timeoutMs, validateOnly };
}

/** v0: topics (name, num_partitions, replication_factor, assignments, configs), timeout_ms. */
export function decode(reader: Reader): CreateTopicsRequest {
  return decodeCreateTopics(reader, false);
}
