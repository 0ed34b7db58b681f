/**
 * The broker's state shared by every connection and handler: configuration, the topic logs,
 * durable metadata (cluster id, producer ids) and the plugged-in group coordinator.
 */
import { join } from 'node:path';
import type { Logger } from 'pino';
import { BrokerMeta } from './log/broker-meta.ts';
import { DEFAULT_LOG_OPTIONS, type LogOptions } from './log/partition-log.ts';
import { TopicConfigs } from './log/topic-configs.ts';
import { TopicStore, topicNameProblem } from './log/topic-store.ts';
import type { GroupCoordinatorHandle } from './protocol/context.ts';
import { TransactionCoordinator } from './transactions/coordinator.ts';
import type { PendingOffset } from './transactions/state-store.ts';

export interface BrokerConfig {
  nodeId: number;
  /** partitions of auto-created topics and of CreateTopics with num_partitions -1 */
  defaultPartitions: number;
  /** create unknown topics on Metadata (when the client allows it) and on Produce */
  autoCreateTopics: boolean;
  /** largest record batch accepted (Kafka's message.max.bytes, default 1 MiB + overhead) */
  maxMessageBytes: number;
  /** largest request frame; bigger frames are malformed and close the connection */
  maxRequestBytes: number;
  /** how often open transactions are checked against their timeout */
  transactionCheckIntervalMs: number;
  /** how often retention and compaction run over every partition */
  logCleanIntervalMs: number;
  /** broker-wide defaults of the topic configs (Kafka's log.retention.ms etc.) */
  retentionMs: number;
  retentionBytes: number;
  deleteRetentionMs: number;
  log: LogOptions;
}

export const DEFAULT_BROKER_CONFIG: BrokerConfig = {
  nodeId: 0,
  defaultPartitions: 1,
  autoCreateTopics: true,
  maxMessageBytes: 1024 * 1024 + 12,
  maxRequestBytes: 100 * 1024 * 1024,
  transactionCheckIntervalMs: 1000,
  logCleanIntervalMs: 30_000,
  retentionMs: 7 * 24 * 60 * 60 * 1000,
  retentionBytes: -1,
  deleteRetentionMs: 24 * 60 * 60 * 1000,
  log: DEFAULT_LOG_OPTIONS,
};

export class BrokerCore {
  readonly config: BrokerConfig;
  readonly logger: Logger;
  readonly dataDir: string;
  readonly topics: TopicStore;
  readonly meta: BrokerMeta;
  readonly transactions: TransactionCoordinator;
  coordinator: GroupCoordinatorHandle | undefined;

  constructor(dataDir: string, config: BrokerConfig, logger: Logger) {
    this.dataDir = dataDir;
    this.config = config;
    this.logger = logger;
    const configs = new TopicConfigs(dataDir, {
      'retention.ms': String(config.retentionMs),
      'retention.bytes': String(config.retentionBytes),
      'cleanup.policy': 'delete',
      'segment.bytes': String(config.log.segmentBytes),
      'max.message.bytes': String(config.maxMessageBytes),
      'delete.retention.ms': String(config.deleteRetentionMs),
    });
    this.topics = new TopicStore(join(dataDir, 'logs'), config.log, configs, logger);
    this.topics.startCleaner(config.logCleanIntervalMs);
    this.meta = new BrokerMeta(dataDir, this.topics.highestProducerId());
    this.transactions = new TransactionCoordinator({
      dataDir,
      logger: logger.child({ component: 'transactions' }),
      allocateProducerId: () => this.meta.allocateProducerId(),
      partition: (topic, partition) => this.topics.partition(topic, partition),
      commitOffsets: (offsets) => this.commitTransactionalOffsets(offsets),
      abortCheckIntervalMs: config.transactionCheckIntervalMs,
    });
  }

  private commitTransactionalOffsets(offsets: PendingOffset[]): void {
    for (const groupId of new Set(offsets.map((offset) => offset.groupId))) {
      const commits = offsets.filter((offset) => offset.groupId === groupId);
      this.coordinator?.commitTransactionalOffsets?.(groupId, commits);
    }
  }

  get nodeId(): number {
    return this.config.nodeId;
  }

  get clusterId(): string {
    return this.meta.clusterId;
  }

  /** Where the group coordinator keeps its durable state. */
  get groupsDir(): string {
    return join(this.dataDir, 'groups');
  }

  /**
   * Returns true when the topic exists, creating it first when auto-creation is on and the name
   * is valid.
   */
  ensureTopic(topic: string, allowAutoCreate: boolean): boolean {
    if (this.topics.has(topic)) return true;
    if (!allowAutoCreate || !this.config.autoCreateTopics || topicNameProblem(topic)) return false;
    this.topics.create(topic, this.config.defaultPartitions);
    return true;
  }

  close(): void {
    this.transactions.close();
    this.topics.close();
  }
}
