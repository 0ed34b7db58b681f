/**
 * AlterConfigs (not incremental: the given set replaces the resource's overrides) for topics and
 * this broker. Values are checked first, so a resource is changed entirely or not at all; the
 * new values apply to the logs at once (segment size, message size, retention, compaction).
 */
import { ErrorCode } from '../../api-keys.ts';
import type { RequestContext } from '../../context.ts';
import { ResourceType } from '../describe-configs/handler.ts';

export interface AlterConfigsRequest {
  resources: Array<{
    resourceType: number;
    resourceName: string;
    configs: Array<{ name: string; value: string | null }>;
  }>;
  validateOnly: boolean;
}

export interface AlterConfigsResponse {
  throttleTimeMs: number;
  results: Array<{
    errorCode: number;
    errorMessage: string | null;
    resourceType: number;
    resourceName: string;
  }>;
}

function alter(
  resource: AlterConfigsRequest['resources'][number],
  validateOnly: boolean,
  ctx: RequestContext,
): [number, string | null] {
  const { topics } = ctx.broker;
  const overrides = Object.fromEntries(resource.configs.map((config) => [config.name, config.value]));
  if (resource.resourceType === ResourceType.topic) {
    if (!topics.has(resource.resourceName)) {
      return [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${resource.resourceName} does not exist`];
    }
    const problem = topics.configs.problem('topic', overrides);
    if (problem) return [ErrorCode.INVALID_CONFIG, problem];
    if (!validateOnly) topics.configs.setTopic(resource.resourceName, overrides);
  } else if (resource.resourceType === ResourceType.broker) {
    if (resource.resourceName !== String(ctx.nodeId)) {
      return [ErrorCode.INVALID_REQUEST, `this is broker ${ctx.nodeId}, not ${resource.resourceName}`];
    }
    const problem = topics.configs.problem('broker', overrides);
    if (problem) return [ErrorCode.INVALID_CONFIG, problem];
    if (!validateOnly) topics.configs.setBroker(overrides);
  } else {
    return [ErrorCode.INVALID_REQUEST, `unsupported resource type ${resource.resourceType}`];
  }
  if (!validateOnly) topics.refreshConfigs();
  return [ErrorCode.NONE, null];
}

export function handleAlterConfigs(request: AlterConfigsRequest, ctx: RequestContext): AlterConfigsResponse {
  return {
    throttleTimeMs: 0,
    results: request.resources.map((resource) => {
      const [errorCode, errorMessage] = alter(resource, request.validateOnly, ctx);
      return {
        errorCode,
        errorMessage,
        resourceType: resource.resourceType,
        resourceName: resource.resourceName,
      };
    }),
  };
}
