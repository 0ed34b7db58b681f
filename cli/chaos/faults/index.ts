/** Every fault kind by the name scenario files use: the proxy's toxics, then the lab's own kinds. */
import { brokerRestart } from './broker_restart.ts';
import { dbCrash } from './db_crash.ts';
import { down } from './down.ts';
import { duplicate } from './duplicate.ts';
import { httpError } from './http_error.ts';
import { kill } from './kill.ts';
import { partition } from './partition.ts';
import { pause } from './pause.ts';
import { pauseProjection } from './pause_projection.ts';
import { poison } from './poison.ts';
import { redeliver } from './redeliver.ts';
import { relayCrash } from './relay_crash.ts';
import { restart } from './restart.ts';
import { TOXIC_FAULTS } from './toxic.ts';
import type { FaultDefinition } from './types.ts';

const DEFINITIONS: readonly FaultDefinition<unknown>[] = [
  ...TOXIC_FAULTS,
  down,
  kill,
  pause,
  restart,
  duplicate,
  redeliver,
  relayCrash,
  poison,
  brokerRestart,
  dbCrash,
  httpError,
  partition,
  pauseProjection,
];

export const FAULTS: ReadonlyMap<string, FaultDefinition<unknown>> = new Map(
  DEFINITIONS.map((definition) => [definition.kind, definition]),
);

export const FAULT_KINDS: readonly string[] = [...FAULTS.keys()];

export function faultDefinition(kind: string): FaultDefinition<unknown> {
  const definition = FAULTS.get(kind);
  if (!definition) throw new Error(`no fault kind '${kind}'`);
  return definition;
}
