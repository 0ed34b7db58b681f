import { topicNameProblem } from '../../../log/topic-store.ts';
import { ErrorCode } from '../../api-keys.ts';
import type { RequestContext } from '../../context.ts';

export interface MetadataRequest {
  /** null: every topic */
  topics: string[] | null;
  /** v4+: whether the client allows auto-creation (v1-v3 imply true) */
  allowAutoTopicCreation: boolean;
}

export interface MetadataBroker {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export interface MetadataPartition {
  errorCode: number;
  partitionIndex: number;
  leaderId: number;
  replicaNodes: number[];
  isrNodes: number[];
  offlineReplicas: number[];
}

export interface MetadataTopic {
  errorCode: number;
  name: string;
  isInternal: boolean;
  partitions: MetadataPartition[];
}

export interface MetadataResponse {
  throttleTimeMs: number;
  brokers: MetadataBroker[];
  clusterId: string | null;
  controllerId: number;
  topics: MetadataTopic[];
}

/**
 * One broker, the leader and only replica of everything. Its address is the advertised address
 * of the listener this connection came in on.
 */
export function handleMetadata(request: MetadataRequest, ctx: RequestContext): MetadataResponse {
  const { broker } = ctx;
  const names = request.topics ?? broker.topics.names();
  const topics = names.map((name): MetadataTopic => {
    if (!broker.ensureTopic(name, request.topics !== null && request.allowAutoTopicCreation)) {
      return {
        errorCode: topicNameProblem(name)
          ? ErrorCode.INVALID_TOPIC_EXCEPTION
          : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        name,
        isInternal: false,
        partitions: [],
      };
    }
    const count = broker.topics.partitionCount(name) ?? 0;
    return {
      errorCode: ErrorCode.NONE,
      name,
      isInternal: false,
      partitions: Array.from({ length: count }, (_, partitionIndex) => ({
        errorCode: ErrorCode.NONE,
        partitionIndex,
        leaderId: ctx.nodeId,
        replicaNodes: [ctx.nodeId],
        isrNodes: [ctx.nodeId],
        offlineReplicas: [],
      })),
    };
  });
  return {
    throttleTimeMs: 0,
    brokers: [
      {
        nodeId: ctx.nodeId,
        host: ctx.listener.advertisedHost,
        port: ctx.listener.advertisedPort,
        rack: null,
      },
    ],
    clusterId: ctx.clusterId,
    controllerId: ctx.nodeId,
    topics,
  };
}
