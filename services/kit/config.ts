/**
 * Service configuration, all from the environment (SCHEMA.md "Processes and environment"). Every
 * address is taken as given: in the full stack each one points at a fault-proxy link.
 */

import { clockFromEnv, type LabClock } from '../../common/clock.ts';
import { DEFAULT_KIT, KITS, type Kit } from '../../common/roster.ts';

export const PATTERN_SWITCHES = ['outbox', 'inbox', 'compensation', 'stale_guard'] as const;
export type PatternSwitch = (typeof PATTERN_SWITCHES)[number];

export interface DuplicateFault {
  probability: number;
  copies: number;
}

export interface ServiceConfig {
  service: string;
  host: string;
  port: number;
  databaseUrl: string | undefined;
  kafkaBrokers: string[];
  /** Patterns switched off with `lab up --without ...`. */
  without: ReadonlySet<PatternSwitch>;
  kit: Kit;
  adminToken: string | undefined;
  logLevel: string;
  topicPartitions: number;
  consumerMaxAttempts: number;
  duplicateDefault: DuplicateFault | undefined;
  /** The stack's lab clock (LAB_CLOCK_*): every time-based decision of the shop reads it. */
  clock: LabClock;
  env: NodeJS.ProcessEnv;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0)
    throw new ConfigError(`${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

export function parseWithout(raw: string | undefined): Set<PatternSwitch> {
  const result = new Set<PatternSwitch>();
  for (const item of (raw ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    if (!(PATTERN_SWITCHES as readonly string[]).includes(item))
      throw new ConfigError(
        `LAB_WITHOUT: unknown pattern "${item}" (expected ${PATTERN_SWITCHES.join(', ')})`,
      );
    result.add(item as PatternSwitch);
  }
  return result;
}

export function parseKit(raw: string | undefined): Kit {
  if (raw === undefined || raw === '') return DEFAULT_KIT;
  if (!(KITS as readonly string[]).includes(raw))
    throw new ConfigError(`LAB_KIT: unknown kit "${raw}" (expected ${KITS.join(', ')})`);
  return raw as Kit;
}

/** `probability:copies`, e.g. `1:2` = every event published twice more. */
export function parseDuplicates(raw: string | undefined): DuplicateFault | undefined {
  if (!raw) return undefined;
  const [probability, copies] = raw.split(':').map(Number);
  if (probability === undefined || !(probability >= 0 && probability <= 1) || !Number.isInteger(copies ?? 1))
    throw new ConfigError(`LAB_RELAY_DUPLICATES must be "probability:copies", got "${raw}"`);
  return { probability, copies: copies ?? 1 };
}

export function loadConfig(
  service: string,
  env: NodeJS.ProcessEnv = process.env,
  options: { needsDatabase: boolean } = { needsDatabase: true },
): ServiceConfig {
  const databaseUrl = env.DATABASE_URL || undefined;
  if (options.needsDatabase && !databaseUrl) throw new ConfigError('DATABASE_URL is required');
  const kafkaBrokers = (env.KAFKA_BROKERS ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
  if (options.needsDatabase && kafkaBrokers.length === 0) throw new ConfigError('KAFKA_BROKERS is required');
  return {
    service,
    host: env.HOST || '127.0.0.1',
    port: integer(env, 'PORT', 0),
    databaseUrl,
    kafkaBrokers,
    without: parseWithout(env.LAB_WITHOUT),
    kit: parseKit(env.LAB_KIT),
    adminToken: env.LAB_ADMIN_TOKEN || undefined,
    logLevel: env.LOG_LEVEL || 'info',
    topicPartitions: Math.max(1, integer(env, 'LAB_TOPIC_PARTITIONS', 3)),
    consumerMaxAttempts: Math.max(1, integer(env, 'LAB_CONSUMER_MAX_ATTEMPTS', 3)),
    duplicateDefault: parseDuplicates(env.LAB_RELAY_DUPLICATES),
    clock: clockFromEnv(env),
    env,
  };
}
