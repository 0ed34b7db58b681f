/** What a fault module gets from the engine, and what it gives back: a way to heal. */
import type { Kafka } from 'kafkajs';
import type { Endpoints, Runtime } from '../../runtime/types.ts';
import type { Random } from '../random.ts';
import type { Fault, FaultKind } from '../schema.ts';
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
  /** Index of the fault in the scenario. */
  index: number;
}

export interface ActiveFault {
  /** What the fault hit: a link, a service, a topic. */
  target: string;
  /** Undoes the fault; safe to call twice. */
  heal(): Promise<void>;
  /** Set when the fault heals itself at a time of its own (kill's restart_after, broker_restart's down). */
  healAfterMs?: number;
}

export type FaultOf<K extends FaultKind> = Extract<Fault, { kind: K }>;
export type FaultModule<K extends FaultKind> = (
  fault: FaultOf<K>,
  context: FaultContext,
) => Promise<ActiveFault>;

/** Heal functions run at most once, however many times heal() is called (timeline, heal phase, finally). */
export function once(heal: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    running ??= heal();
    return running;
  };
}
