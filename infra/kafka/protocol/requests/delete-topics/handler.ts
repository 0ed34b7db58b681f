import { ErrorCode } from '../../api-keys.ts';
import type { RequestContext } from '../../context.ts';

export interface DeleteTopicsRequest {
  topicNames: string[];
  timeoutMs: number;
}

export interface DeleteTopicsResponse {
  throttleTimeMs: number;
  responses: Array<{ name: string; errorCode: number }>;
}

/** Deletes the topics and their data on disk. */
export function handleDeleteTopics(request: DeleteTopicsRequest, ctx: RequestContext): DeleteTopicsResponse {
  return {
    throttleTimeMs: 0,
    responses: request.topicNames.map((name) => ({
      name,
      errorCode: ctx.broker.topics.delete(name) ? ErrorCode.NONE : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    })),
  };
}
