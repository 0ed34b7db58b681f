/**
 * What the docker runtime runs, from the environment: the compose project, its files and the image
 * names (docs/ARCHITECTURE.md "Runtimes": every image name can be overridden by env).
 */
import path from 'node:path';

/** The repository's compose/ directory (docker-compose.yml, standins.yml, Dockerfile). */
export const COMPOSE_DIR = path.resolve(import.meta.dirname, '../../../compose');

/** Fixed, so every `lab` command finds the stack `lab up` started; LAB_COMPOSE_PROJECT for tests. */
export const DEFAULT_PROJECT = 'lab';

export interface DockerConfig {
  project: string;
  /** Absolute paths, in `-f` order. */
  composeFiles: string[];
  /** compose/standins.yml replaces Kafka and Toxiproxy with the lab's own. */
  standins: boolean;
  images: {
    postgres: string;
    kafka: string;
    toxiproxy: string;
    /** Base image of compose/Dockerfile. */
    node: string;
    /** The tag of the lab image compose builds. */
    lab: string;
  };
  /** `never`: run the lab image as it is (no `compose build` at `lab up`). */
  build: 'auto' | 'never';
}

/** Defaults mirror compose/docker-compose.yml's `${VAR:-default}` values. */
export function dockerConfig(env: NodeJS.ProcessEnv = process.env): DockerConfig {
  const standins = env.LAB_DOCKER_STANDINS === '1' || env.LAB_DOCKER_STANDINS === 'true';
  const composeFiles = [path.join(COMPOSE_DIR, 'docker-compose.yml')];
  if (standins) composeFiles.push(path.join(COMPOSE_DIR, 'standins.yml'));
  return {
    project: env.LAB_COMPOSE_PROJECT || DEFAULT_PROJECT,
    composeFiles,
    standins,
    images: {
      postgres: env.LAB_POSTGRES_IMAGE || 'postgres:17',
      kafka: env.LAB_KAFKA_IMAGE || 'apache/kafka:3.9.1',
      toxiproxy: env.LAB_TOXIPROXY_IMAGE || 'ghcr.io/shopify/toxiproxy:2.12.0',
      node: env.LAB_NODE_IMAGE || 'node:24-slim',
      lab: env.LAB_IMAGE || 'lab:local',
    },
    build: env.LAB_DOCKER_BUILD === 'never' ? 'never' : 'auto',
  };
}

/**
 * The images a `lab up` needs from somewhere (present or pullable): the lab image itself is built
 * from the node image, and the stand-ins need neither Kafka's nor Toxiproxy's.
 */
export function requiredImagesOf(config: DockerConfig): string[] {
  const images = [config.images.postgres, config.images.node];
  if (!config.standins) images.push(config.images.kafka, config.images.toxiproxy);
  return images;
}
