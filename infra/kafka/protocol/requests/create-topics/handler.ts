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
  if (topic.assignments.length > 0) {
    if (topic.assignments.some((assignment) => assignment.brokerIds.some((id) => id !== ctx.nodeId))) {
      return [ErrorCode.INVALID_REPLICATION_FACTOR, `the only broker is ${ctx.nodeId}`];
    }
    return undefined;
  }
  if (topic.numPartitions === 0 || topic.numPartitions < -1) {
    return [ErrorCode.INVALID_PARTITIONS, 'number of partitions must be at least 1'];
  }
  if (topic.replicationFactor === 0 || topic.replicationFactor < -1 || topic.replicationFactor > 1) {
    return [ErrorCode.INVALID_REPLICATION_FACTOR, 'replication factor must be 1: this is a single broker'];
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
    if (!request.validateOnly) ctx.broker.topics.create(topic.name, partitions);
    return { name: topic.name, errorCode: ErrorCode.NONE, errorMessage: null };
  });
  return { throttleTimeMs: 0, topics };
}
