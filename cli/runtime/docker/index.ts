/**
 * The docker runtime module, loaded by cli/runtime/select.ts only when docker is chosen or probed.
 * Contract (select.ts): createDockerRuntime() and requiredImages().
 */
import type { Runtime } from '../types.ts';
import { dockerConfig, requiredImagesOf } from './config.ts';
import { DockerRuntime } from './docker-runtime.ts';

export { DockerRuntime } from './docker-runtime.ts';

export function createDockerRuntime(): Runtime {
  return new DockerRuntime();
}

/** The images `lab up --runtime docker` needs present or pullable (per the env's overrides). */
export function requiredImages(env: NodeJS.ProcessEnv = process.env): string[] {
  return requiredImagesOf(dockerConfig(env));
}
