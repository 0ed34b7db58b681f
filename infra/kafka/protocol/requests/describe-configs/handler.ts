/**
 * DescribeConfigs for topics (resource type 2) and this broker (type 4, named by its node id):
 * the configs the log applies (log/topic-configs.ts) with where each value comes from.
 */
import type { ConfigSource, DescribedConfig } from '../../../log/topic-configs.ts';
import { ErrorCode } from '../../api-keys.ts';
import type { RequestContext } from '../../context.ts';

export const ResourceType = { topic: 2, broker: 4 } as const;

/** config_source of DescribeConfigs v1+ */
export const ConfigSourceCode: Readonly<Record<ConfigSource, number>> = {
  topic: 1, // DYNAMIC_TOPIC_CONFIG
  broker: 2, // DYNAMIC_BROKER_CONFIG
  default: 5, // DEFAULT_CONFIG
};

export interface DescribeConfigsRequest {
  resources: Array<{ resourceType: number; resourceName: string; configNames: string[] | null }>;
  includeSynonyms: boolean;
}

export interface DescribeConfigsResult {
  errorCode: number;
  errorMessage: string | null;
  resourceType: number;
  resourceName: string;
  configs: DescribedConfig[];
}

export interface DescribeConfigsResponse {
  throttleTimeMs: number;
  results: DescribeConfigsResult[];
  includeSynonyms: boolean;
}

function describe(
  resource: DescribeConfigsRequest['resources'][number],
  ctx: RequestContext,
): DescribeConfigsResult {
  const base = { resourceType: resource.resourceType, resourceName: resource.resourceName };
  const fail = (errorCode: number, errorMessage: string) => ({
    ...base,
    errorCode,
    errorMessage,
    configs: [],
  });
  const { configs } = ctx.broker.topics;
  let described: DescribedConfig[];
  if (resource.resourceType === ResourceType.topic) {
    if (!ctx.broker.topics.has(resource.resourceName)) {
      return fail(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, `Topic ${resource.resourceName} does not exist`);
    }
    described = configs.describeTopic(resource.resourceName);
  } else if (resource.resourceType === ResourceType.broker) {
    if (resource.resourceName !== String(ctx.nodeId)) {
      return fail(ErrorCode.INVALID_REQUEST, `this is broker ${ctx.nodeId}, not ${resource.resourceName}`);
    }
    described = configs.describeBroker();
  } else {
    return fail(ErrorCode.INVALID_REQUEST, `unsupported resource type ${resource.resourceType}`);
  }
  const wanted = resource.configNames;
  return {
    ...base,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    configs:
      wanted === null || wanted.length === 0 ? described : described.filter((c) => wanted.includes(c.name)),
  };
}

export function handleDescribeConfigs(
  request: DescribeConfigsRequest,
  ctx: RequestContext,
): DescribeConfigsResponse {
  return {
    throttleTimeMs: 0,
    results: request.resources.map((resource) => describe(resource, ctx)),
    includeSynonyms: request.includeSynonyms,
  };
}
