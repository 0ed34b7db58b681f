/** CreatePartitions: grows a topic; the new partitions are served at once (one broker, no election). */
import { ErrorCode } from '../../api-keys.ts';
import type { RequestContext } from '../../context.ts';

export interface CreatePartitionsRequest {
  topics: Array<{ name: string; count: number; assignments: number[][] | null }>;
  timeoutMs: number;
  validateOnly: boolean;
}

export interface CreatePartitionsResponse {
  throttleTimeMs: number;
  results: Array<{ name: string; errorCode: number; errorMessage: string | null }>;
}

function problem(
  topic: CreatePartitionsRequest['topics'][number],
  ctx: RequestContext,
): [number, string] | undefined {
  const current = ctx.broker.topics.partitionCount(topic.name);
  if (current === undefined) {
    return [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `This server does not host this topic: ${topic.name}`];
  }
  if (topic.count <= current) {
    return [
      ErrorCode.INVALID_PARTITIONS,
      `Topic currently has ${current} partitions, which is higher than the requested ${topic.count}.`,
    ];
  }
  if (topic.assignments === null) return undefined;
  if (topic.assignments.length !== topic.count - current) {
    return [
      ErrorCode.INVALID_REPLICA_ASSIGNMENT,
      `Increasing the number of partitions by ${topic.count - current} but ${topic.assignments.length} assignments provided.`,
    ];
  }
  for (const brokers of topic.assignments) {
    const absent = brokers.find((id) => id !== ctx.nodeId);
    if (absent !== undefined) {
      return [
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        `The manual partition assignment includes broker ${absent}, but no such broker is registered.`,
      ];
    }
    if (brokers.length !== 1) {
      return [
        ErrorCode.INVALID_REPLICA_ASSIGNMENT,
        'Each partition must have exactly one replica, on this broker.',
      ];
    }
  }
  return undefined;
}

export function handleCreatePartitions(
  request: CreatePartitionsRequest,
  ctx: RequestContext,
): CreatePartitionsResponse {
  const seen = new Set<string>();
  const results = request.topics.map((topic) => {
    const refused: [number, string] | undefined = seen.has(topic.name)
      ? [ErrorCode.INVALID_REQUEST, `Duplicate topic in request: ${topic.name}`]
      : problem(topic, ctx);
    seen.add(topic.name);
    if (refused) return { name: topic.name, errorCode: refused[0], errorMessage: refused[1] };
    if (!request.validateOnly) ctx.broker.topics.addPartitions(topic.name, topic.count);
    return { name: topic.name, errorCode: ErrorCode.NONE, errorMessage: null };
  });
  return { throttleTimeMs: 0, results };
}
