import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { LabClock, type LabClockSettings } from '../../../common/clock.ts';
import type { Kit, PatternSwitch } from '../../../common/roster.ts';
import type { ClusterCredentials } from '../../../infra/postgres/cluster.ts';
import type { Endpoints } from '../types.ts';
import type { ProcessRecord } from './supervisor.ts';

/** `.lab/state.json`: what a running local stack is made of, so any shell can inspect or stop it. */
export interface StackState {
  version: 1;
  runtime: 'local';
  /** pid of the `lab up` that started the stack; `complete` stays false while it is still starting. */
  upPid: number;
  complete: boolean;
  startedAt: string;
  without: PatternSwitch[];
  /** Absent in a state written before kits existed: the reference kit. */
  kit?: Kit;
  /** The lab clock fixed at `lab up`; absent in a state written before the clock: real time. */
  clock?: LabClockSettings;
  /** Every allocated port, by component and port name. */
  ports: Record<string, Record<string, number>>;
  /** In start order. */
  processes: ProcessRecord[];
  /** Pieces about to be spawned, by the tag in their environment, until their pid is recorded. */
  starting?: Array<{ name: string; tag: string }>;
  endpoints: Endpoints;
  postgres?: {
    dataDir: string;
    binDir: string;
    port: number;
    synchronousCommit: string;
    /** Secrets: this file is mode 0600. */
    credentials: ClusterCredentials;
  };
}

/** The clock of a stack (real time for one started before the clock existed). */
export function stateClock(state: { clock?: LabClockSettings }): LabClock {
  return state.clock ? new LabClock(state.clock) : LabClock.real();
}

export function stateFile(home: string): string {
  return path.join(home, 'state.json');
}

export function readState(home: string): StackState | undefined {
  let text: string;
  try {
    text = readFileSync(stateFile(home), 'utf8');
  } catch {
    return undefined;
  }
  const state = JSON.parse(text) as StackState;
  return state.version === 1 && state.runtime === 'local' ? state : undefined;
}

/** Atomic (write then rename) and private: the file holds database passwords. */
export function writeState(home: string, state: StackState): void {
  mkdirSync(home, { recursive: true });
  const file = stateFile(home);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}

export function removeState(home: string): void {
  rmSync(stateFile(home), { force: true });
}
