/**
 * A fault kind, after Toxiproxy's toxics/<name>.go + Register(): each cli/chaos/faults/<kind>.ts
 * defines its options schema, its timing and target, and how it is applied and healed. The
 * scenario schema, the registry (index.ts) and the timeline derive everything from these.
 */
import type { Kafka } from 'kafkajs';
import { z } from 'zod';
import type { Endpoints, Runtime } from '../../runtime/types.ts';
import { link, service } from '../fields.ts';
import type { Random } from '../random.ts';
import type { ProxyClient } from './proxy.ts';

export interface FaultContext {
  runtime: Runtime;
  endpoints: Endpoints;
  adminToken: string;
  proxy: ProxyClient;
  /** A kafkajs client on the broker's direct bootstrap (lazily created, shared). */
  kafka(): Kafka;
  /** This fault's own random stream (forked by its index and kind). */
  random: Random;
  /** Records a choice this fault made in decisions.jsonl (same seed → same decisions). */
  decide(decision: Record<string, unknown>): void;
  /** A line for the run's log and the live view. */
  log(message: string): void;
  signal: AbortSignal;
  /** Index of the fault in the scenario; names the fault's toxics and random stream. */
  index: number;
}

export interface ActiveFault {
  /** Undoes the fault; safe to call twice. */
  heal(): Promise<void>;
}

export interface FaultDefinition<Options = unknown> {
  /** The key a scenario file writes (`latency:`, `kill:`). */
  readonly kind: string;
  /** One line for listings and docs. */
  readonly summary: string;
  /** `instant` faults happen at `at`; `windowed` ones last `for` (or until the heal phase). */
  readonly timing: 'instant' | 'windowed';
  /** For an instant kind: what to write instead of `for`. */
  readonly instead?: string;
  readonly options: z.ZodType<Options>;
  /** What the fault hits (a link, a service, a topic), for logs, the live view and reports. */
  target(options: Options): string;
  /** What kind of name its target is, so a random schedule can pick one. */
  readonly targetType: TargetType;
  /**
   * Options for one fault of a random schedule on `target` (`windowMs`: how long it should last),
   * written as a scenario file would write them. Kinds without it cannot be scheduled at random.
   */
  sample?(random: Random, target: string, windowMs: number): Record<string, unknown>;
  /** When it ends by itself without `for` (kill's restart_after, broker_restart's down). */
  endsAfterMs?(options: Options): number | undefined;
  /** Consumers see some events twice while it acts (idempotent_consumers then expects skips). */
  readonly injectsDuplicates?: boolean;
  apply(options: Options, context: FaultContext): Promise<ActiveFault>;
}

/**
 * `link`: `<service>.db|kafka`, `gateway.<service>`; `service`: any service; `relay`: a service
 * whose relay the saga runs through; `route`: a `gateway.<service>` link; `topic`; `stack`: the
 * broker or the database as a whole.
 */
export type TargetType = 'link' | 'service' | 'relay' | 'route' | 'topic' | 'stack';

export function defineFault<Options>(definition: FaultDefinition<Options>): FaultDefinition<Options> {
  return definition;
}

/** Heal functions run at most once, however many times heal() is called (timeline, heal phase, finally). */
export function once(heal: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    running ??= heal();
    return running;
  };
}

/** The option a single-target fault names its target by, with its schema. */
const TARGET_FIELDS = { service, link } as const;

/**
 * A fault whose one option names its target (`service:` or `link:`), as pause, restart, partition
 * and down: the options schema, the target and the random sample follow from that field; `apply`
 * gets the target's name.
 */
export function targetFault<Field extends keyof typeof TARGET_FIELDS>(definition: {
  kind: string;
  summary: string;
  timing: 'instant' | 'windowed';
  field: Field;
  /** False: not scheduled at random (the kind needs what a random run may lack). */
  sampled?: boolean;
  apply(target: string, context: FaultContext): Promise<ActiveFault>;
}): FaultDefinition<Record<Field, string>> {
  const { field, sampled = true } = definition;
  return {
    kind: definition.kind,
    summary: definition.summary,
    timing: definition.timing,
    options: z.strictObject({ [field]: TARGET_FIELDS[field] }) as unknown as z.ZodType<Record<Field, string>>,
    target: (options) => options[field],
    targetType: field,
    ...(sampled ? { sample: (_random: Random, target: string) => ({ [field]: target }) } : {}),
    apply: (options, context) => definition.apply(options[field], context),
  };
}
