import { topicNameProblem } from '../../../log/topic-store.ts';
import { ErrorCode } from '../../api-keys.ts';
import type { RequestContext } from '../../context.ts';

export interface CreatableTopic {
  name: string;
  /** -1: the broker's default */
  numPartitions: number;
  /** -1: the broker's default; this broker has one replica */
  replicationFactor: number;
  /** manual assignment: partition index -> broker ids */
  assignments: Array<{ partitionIndex: number; brokerIds: number[] }>;
  /** topic config overrides (retention.ms, cleanup.policy, ...; see log/topic-configs.ts) */
  configs: Record<string, string | null>;
}

export interface CreateTopicsRequest {
  topics: CreatableTopic[];
  timeoutMs: number;
  validateOnly: boolean;
}

export interface CreateTopicsResponse {
  throttleTimeMs: number;
  topics: Array<{ name: string; errorCode: number; errorMessage: string | null }>;
}

function problem(
  topic: CreatableTopic,
  ctx: RequestContext,
  seen: Set<string>,
): [number, string] | undefined {
  if (seen.has(topic.name))
    return [ErrorCode.INVALID_REQUEST, `topic ${topic.name} appears twice in the request`];
  const nameProblem = topicNameProblem(topic.name);
  if (nameProblem) return [ErrorCode.INVALID_TOPIC_EXCEPTION, nameProblem];
  if (ctx.broker.topics.has(topic.name))
    return [ErrorCode.TOPIC_ALREADY_EXISTS, `topic '${topic.name}' already exists`];
  const configProblem = ctx.broker.topics.configs.problem('topic', topic.configs);
  if (configProblem) return [ErrorCode.INVALID_CONFIG, configProblem];
  if (topic.assignments.length > 0) return assignmentProblem(topic, ctx.nodeId);
  if (topic.numPartitions === 0 || topic.numPartitions < -1) {
    return [ErrorCode.INVALID_PARTITIONS, 'number of partitions must be at least 1'];
  }
  if (topic.replicationFactor === 0 || topic.replicationFactor < -1 || topic.replicationFactor > 1) {
    return [ErrorCode.INVALID_REPLICATION_FACTOR, 'replication factor must be 1: this is a single broker'];
  }
  return undefined;
}

/** A manual assignment as KRaft checks it: partitions 0..n-1, each on registered brokers only. */
export function assignmentProblem(
  topic: Pick<CreatableTopic, 'assignments' | 'numPartitions' | 'replicationFactor'>,
  nodeId: number,
): [number, string] | undefined {
  if (topic.numPartitions !== -1 || topic.replicationFactor !== -1) {
    return [
      ErrorCode.INVALID_REQUEST,
      'Both numPartitions and replicationFactor must be -1 when a manual assignment is given.',
    ];
  }
  const indexes = topic.assignments.map((assignment) => assignment.partitionIndex).sort((a, b) => a - b);
  if (indexes.some((index, position) => index !== position)) {
    return [
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      'Partitions should be a consecutive 0-based integer sequence.',
    ];
  }
  for (const { partitionIndex, brokerIds } of topic.assignments) {
    if (brokerIds.length === 0) {
      return [
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `The manual partition assignment of partition ${partitionIndex} is empty.`,
      ];
    }
    if (new Set(brokerIds).size !== brokerIds.length) {
      return [
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `The manual partition assignment of partition ${partitionIndex} includes a broker more than once.`,
      ];
    }
    const absent = brokerIds.find((id) => id !== nodeId);
    if (absent !== undefined) {
      return [
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `The manual partition assignment includes broker ${absent}, but no such broker is registered.`,
      ];
    }
  }
  return undefined;
}

export function handleCreateTopics(request: CreateTopicsRequest, ctx: RequestContext): CreateTopicsResponse {
  const seen = new Set<string>();
  const topics = request.topics.map((topic) => {
    const refused = problem(topic, ctx, seen);
    seen.add(topic.name);
    if (refused) return { name: topic.name, errorCode: refused[0], errorMessage: refused[1] };
    const partitions =
      topic.assignments.length > 0
        ? topic.assignments.length
        : topic.numPartitions === -1
          ? ctx.broker.config.defaultPartitions
          : topic.numPartitions;
    if (!request.validateOnly) {
      if (Object.keys(topic.configs).length > 0)
        ctx.broker.topics.configs.setTopic(topic.name, topic.configs);
      ctx.broker.topics.create(topic.name, partitions);
    }
    return { name: topic.name, errorCode: ErrorCode.NONE, errorMessage: null };
  });
  return { throttleTimeMs: 0, topics };
}
