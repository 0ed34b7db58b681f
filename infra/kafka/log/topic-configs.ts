/**
 * Topic and broker configuration overrides (DescribeConfigs / AlterConfigs), durable in
 * `<dataDir>/configs.json` (temp file + rename). A topic's effective value is its own override,
 * else the broker's dynamic override of the matching broker config, else the default, which is
 * Kafka's precedence (DYNAMIC_TOPIC_CONFIG > DYNAMIC_BROKER_CONFIG > DEFAULT_CONFIG).
 *
 * Only the configs the log applies are known here; anything else is INVALID_CONFIG, so a client
 * is never told a setting took effect when it does not.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TopicConfig {
  /** -1: no time limit */
  retentionMs: number;
  /** per partition; -1: no size limit */
  retentionBytes: number;
  cleanupPolicy: { delete: boolean; compact: boolean };
  segmentBytes: number;
  maxMessageBytes: number;
  /** how long a compacted topic keeps tombstones */
  deleteRetentionMs: number;
}

interface ConfigDefinition {
  /** the topic-level name */
  name: string;
  /** the broker-level name of the same setting */
  brokerName: string;
  validate(value: string): string | undefined;
}

const isLong = (min: number) => (value: string) =>
  /^-?\d+$/.test(value) && Number(value) >= min ? undefined : `must be an integer >= ${min}`;

export const CONFIG_DEFINITIONS: readonly ConfigDefinition[] = [
  { name: 'retention.ms', brokerName: 'log.retention.ms', validate: isLong(-1) },
  { name: 'retention.bytes', brokerName: 'log.retention.bytes', validate: isLong(-1) },
  {
    name: 'cleanup.policy',
    brokerName: 'log.cleanup.policy',
    validate: (value) =>
      value
        .split(',')
        .map((part) => part.trim())
        .every((part) => part === 'delete' || part === 'compact')
        ? undefined
        : 'must be a list of delete and compact',
  },
  { name: 'segment.bytes', brokerName: 'log.segment.bytes', validate: isLong(14) },
  { name: 'max.message.bytes', brokerName: 'message.max.bytes', validate: isLong(0) },
  { name: 'delete.retention.ms', brokerName: 'log.cleaner.delete.retention.ms', validate: isLong(0) },
];

export type ConfigSource = 'topic' | 'broker' | 'default';

export interface DescribedConfig {
  name: string;
  value: string;
  source: ConfigSource;
}

interface ConfigsFile {
  broker: Record<string, string>;
  topics: Record<string, Record<string, string>>;
}

export class TopicConfigs {
  private readonly path: string;
  private readonly defaults: Record<string, string>;
  private data: ConfigsFile;

  /** `defaults` by topic-level name (the broker's startup settings). */
  constructor(dataDir: string, defaults: Record<string, string>) {
    this.path = join(dataDir, 'configs.json');
    this.defaults = defaults;
    this.data = existsSync(this.path)
      ? (JSON.parse(readFileSync(this.path, 'utf8')) as ConfigsFile)
      : { broker: {}, topics: {} };
  }

  /** The problem with an override set, or undefined when every name and value is valid. */
  problem(kind: 'topic' | 'broker', overrides: Record<string, string | null>): string | undefined {
    for (const [name, value] of Object.entries(overrides)) {
      const definition = CONFIG_DEFINITIONS.find((d) => (kind === 'topic' ? d.name : d.brokerName) === name);
      if (!definition) return `Unknown ${kind} config name: ${name}`;
      if (value === null) continue;
      const problem = definition.validate(value);
      if (problem) return `Invalid value ${value} for configuration ${name}: ${problem}`;
    }
    return undefined;
  }

  /** Replaces a topic's overrides (AlterConfigs is not incremental); null values are dropped. */
  setTopic(topic: string, overrides: Record<string, string | null>): void {
    this.data.topics[topic] = withoutNulls(overrides);
    this.save();
  }

  /** Replaces the broker's dynamic overrides (broker-level names). */
  setBroker(overrides: Record<string, string | null>): void {
    this.data.broker = withoutNulls(overrides);
    this.save();
  }

  deleteTopic(topic: string): void {
    if (!(topic in this.data.topics)) return;
    delete this.data.topics[topic];
    this.save();
  }

  describeTopic(topic: string): DescribedConfig[] {
    const own = this.data.topics[topic] ?? {};
    return CONFIG_DEFINITIONS.map((definition) => {
      const topicValue = own[definition.name];
      if (topicValue !== undefined) return { name: definition.name, value: topicValue, source: 'topic' };
      const brokerValue = this.data.broker[definition.brokerName];
      if (brokerValue !== undefined) return { name: definition.name, value: brokerValue, source: 'broker' };
      return { name: definition.name, value: this.defaults[definition.name] ?? '', source: 'default' };
    });
  }

  describeBroker(): DescribedConfig[] {
    return CONFIG_DEFINITIONS.map((definition) => {
      const value = this.data.broker[definition.brokerName];
      return value !== undefined
        ? { name: definition.brokerName, value, source: 'broker' }
        : { name: definition.brokerName, value: this.defaults[definition.name] ?? '', source: 'default' };
    });
  }

  /** The effective configuration of a topic, as the log applies it. */
  effective(topic: string): TopicConfig {
    const value = (name: string): string =>
      this.describeTopic(topic).find((config) => config.name === name)?.value ?? '';
    const policy = value('cleanup.policy')
      .split(',')
      .map((part) => part.trim());
    return {
      retentionMs: Number(value('retention.ms')),
      retentionBytes: Number(value('retention.bytes')),
      cleanupPolicy: { delete: policy.includes('delete'), compact: policy.includes('compact') },
      segmentBytes: Number(value('segment.bytes')),
      maxMessageBytes: Number(value('max.message.bytes')),
      deleteRetentionMs: Number(value('delete.retention.ms')),
    };
  }

  private save(): void {
    const temp = `${this.path}.tmp`;
    writeFileSync(temp, JSON.stringify(this.data));
    renameSync(temp, this.path);
  }
}

function withoutNulls(overrides: Record<string, string | null>): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(overrides)) if (value !== null) kept[name] = value;
  return kept;
}
