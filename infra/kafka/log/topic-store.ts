/**
 * All topics of the broker: one directory per partition, `<dataDir>/logs/<topic>-<partition>/`,
 * as Kafka lays them out. The partition count of a topic is the number of its directories, so no
 * separate metadata file can disagree with the data.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { TopicsView } from '../protocol/context.ts';
import { type LogOptions, PartitionLog } from './partition-log.ts';
import type { TopicConfigs } from './topic-configs.ts';

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;
/** never a partition directory name (those end in -<digits>) */
const DELETED_SUFFIX = '.deleted';
const CLEAN_SHUTDOWN_MARKER = '.clean-shutdown';

export function topicNameProblem(name: string): string | undefined {
  if (!TOPIC_NAME.test(name)) return 'topic names are 1-249 characters of [a-zA-Z0-9._-]';
  if (name === '.' || name === '..') return 'topic name cannot be "." or ".."';
  return undefined;
}

export class TopicStore implements TopicsView {
  private readonly dir: string;
  private readonly options: LogOptions;
  private readonly logger: Logger;
  private readonly topics = new Map<string, PartitionLog[]>();
  readonly configs: TopicConfigs;
  private cleaner: NodeJS.Timeout | undefined;

  constructor(dir: string, options: LogOptions, configs: TopicConfigs, logger: Logger) {
    this.dir = dir;
    this.options = options;
    this.configs = configs;
    this.logger = logger;
    mkdirSync(dir, { recursive: true });
    this.load();
  }

  private openPartition(topic: string, partition: number, verifyChecksums = true): PartitionLog {
    const log = PartitionLog.open(
      topic,
      partition,
      this.partitionDir(topic, partition),
      this.options,
      this.logger,
      verifyChecksums,
    );
    log.config = this.configs.effective(topic);
    return log;
  }

  /** Makes every partition apply the current configs (after AlterConfigs). */
  refreshConfigs(): void {
    for (const [topic, logs] of this.topics) {
      const config = this.configs.effective(topic);
      for (const log of logs) log.config = config;
    }
  }

  /**
   * Runs retention and compaction over every partition every `intervalMs` (Kafka's
   * log.retention.check.interval.ms and the cleaner's backoff, in one timer).
   */
  startCleaner(intervalMs: number): void {
    this.cleaner = setInterval(() => this.clean(Date.now()), intervalMs);
    this.cleaner.unref();
  }

  /** One retention and compaction pass; returns the segments removed and rewritten. */
  clean(now: number): { removed: number; compacted: number } {
    let removed = 0;
    let compacted = 0;
    for (const logs of this.topics.values()) {
      for (const log of logs) {
        try {
          removed += log.applyRetention(now);
          compacted += log.compact(now);
        } catch (error) {
          this.logger.error(
            { err: error, topic: log.topic, partition: log.partition },
            'log cleaning failed',
          );
        }
      }
    }
    if (removed > 0 || compacted > 0) this.logger.info({ removed, compacted }, 'log segments cleaned');
    return { removed, compacted };
  }

  private load(): void {
    // like Kafka's .kafka_cleanshutdown: present only between a clean close and the next start
    const marker = join(this.dir, CLEAN_SHUTDOWN_MARKER);
    const cleanShutdown = existsSync(marker);
    rmSync(marker, { force: true });
    const partitionsByTopic = new Map<string, number[]>();
    for (const entry of readdirSync(this.dir, { withFileTypes: true })) {
      if (entry.isDirectory() && entry.name.endsWith(DELETED_SUFFIX)) {
        // a delete interrupted by a crash: finish it
        rmSync(join(this.dir, entry.name), { recursive: true, force: true });
        continue;
      }
      const match = entry.isDirectory() ? /^(.+)-(\d+)$/.exec(entry.name) : null;
      if (!match) continue;
      const [, topic, partition] = match as unknown as [string, string, string];
      const list = partitionsByTopic.get(topic) ?? [];
      list.push(Number(partition));
      partitionsByTopic.set(topic, list);
    }
    if (!cleanShutdown && partitionsByTopic.size > 0) {
      this.logger.info('no clean-shutdown marker: verifying the checksums of the active segments');
    }
    for (const [topic, partitions] of partitionsByTopic) {
      partitions.sort((a, b) => a - b);
      if (partitions.some((partition, index) => partition !== index)) {
        this.logger.error({ topic, partitions }, 'topic has gaps in its partitions; skipping it');
        continue;
      }
      this.topics.set(
        topic,
        partitions.map((partition) => this.openPartition(topic, partition, !cleanShutdown)),
      );
    }
  }

  private partitionDir(topic: string, partition: number): string {
    return join(this.dir, `${topic}-${partition}`);
  }

  names(): string[] {
    return [...this.topics.keys()].sort();
  }

  partitionCount(topic: string): number | undefined {
    return this.topics.get(topic)?.length;
  }

  has(topic: string): boolean {
    return this.topics.has(topic);
  }

  partition(topic: string, partition: number): PartitionLog | undefined {
    return this.topics.get(topic)?.[partition];
  }

  /** Creates the topic (the caller validated the name and that it does not exist). */
  create(topic: string, partitions: number): readonly PartitionLog[] {
    const logs: PartitionLog[] = [];
    for (let partition = 0; partition < partitions; partition++)
      logs.push(this.openPartition(topic, partition));
    this.topics.set(topic, logs);
    this.logger.info({ topic, partitions }, 'topic created');
    return logs;
  }

  /** Grows the topic to `count` partitions (CreatePartitions; the caller validated the count). */
  addPartitions(topic: string, count: number): void {
    const logs = this.topics.get(topic);
    if (!logs) return;
    for (let partition = logs.length; partition < count; partition++)
      logs.push(this.openPartition(topic, partition));
    this.logger.info({ topic, partitions: count }, 'partitions added');
  }

  /** Removes the topic and its data. */
  delete(topic: string): boolean {
    const logs = this.topics.get(topic);
    if (!logs) return false;
    this.topics.delete(topic);
    this.configs.deleteTopic(topic);
    for (const log of logs) {
      log.close();
      // rename first so a crash mid-delete never leaves a half topic that loads again
      const doomed = `${log.dir}${DELETED_SUFFIX}`;
      rmSync(doomed, { recursive: true, force: true });
      if (existsSync(log.dir)) renameSync(log.dir, doomed);
      rmSync(doomed, { recursive: true, force: true });
    }
    this.logger.info({ topic }, 'topic deleted');
    return true;
  }

  highestProducerId(): number {
    let highest = -1;
    for (const logs of this.topics.values()) {
      for (const log of logs) highest = Math.max(highest, log.highestProducerId);
    }
    return highest;
  }

  close(): void {
    clearInterval(this.cleaner);
    for (const logs of this.topics.values()) for (const log of logs) log.close();
    this.topics.clear();
    writeFileSync(join(this.dir, CLEAN_SHUTDOWN_MARKER), '');
  }
}
