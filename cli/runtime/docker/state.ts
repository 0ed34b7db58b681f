/**
 * `<LAB_HOME>/docker-state.json`: what a `lab up --runtime docker` started, so any later `lab`
 * (down, status, logs, kill...) runs compose with the same project, files and environment, and can
 * stop an interrupted `lab up` and the compose process it left behind.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PatternSwitch } from '../../../common/roster.ts';

export interface DockerState {
  version: 1;
  project: string;
  composeFiles: string[];
  /** Interpolation env the stack was started with (ports, switches, secrets). */
  env: Record<string, string>;
  without: PatternSwitch[];
  /** The `lab up` process and the compose process it is waiting for. */
  upPid: number;
  composePid?: number;
  /** Compose services of the stack (compose config --services). */
  services: string[];
  complete: boolean;
  startedAt: string;
}

export function stateFile(home: string): string {
  return path.join(home, 'docker-state.json');
}

export function readDockerState(home: string): DockerState | undefined {
  try {
    return JSON.parse(readFileSync(stateFile(home), 'utf8')) as DockerState;
  } catch {
    return undefined;
  }
}

/** Written atomically (rename) with mode 0600: the env holds the stack's secrets. */
export function writeDockerState(home: string, state: DockerState): void {
  mkdirSync(home, { recursive: true });
  const file = stateFile(home);
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(partial, file);
}

export function removeDockerState(home: string): void {
  rmSync(stateFile(home), { force: true });
}
