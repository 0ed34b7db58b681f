/**
 * The project's containers through dockerode (compose labels them with the project and service),
 * so status, health waits and process faults work the same with compose v1 and v2 container names.
 */
import type Docker from 'dockerode';
import type { ContainerInfo, ContainerInspectInfo } from 'dockerode';
import type { ProcessState } from '../types.ts';

export const PROJECT_LABEL = 'com.docker.compose.project';
export const SERVICE_LABEL = 'com.docker.compose.service';

export interface ProjectContainer {
  id: string;
  service: string;
  /** docker's state: created, running, paused, restarting, exited, dead. */
  state: string;
  /** Health status when the container has a health check: starting, healthy, unhealthy. */
  health: string | undefined;
  /** Host port published for each container port (`8080/tcp` → 32768). */
  ports: Map<string, number>;
  exitCode: number;
  /** Networks the container is attached to, with its aliases there. */
  networks: Map<string, string[]>;
}

export async function projectContainers(docker: Docker, project: string): Promise<ContainerInfo[]> {
  return docker.listContainers({ all: true, filters: { label: [`${PROJECT_LABEL}=${project}`] } });
}

function fromInspect(info: ContainerInspectInfo): ProjectContainer {
  const ports = new Map<string, number>();
  for (const [containerPort, bindings] of Object.entries(info.NetworkSettings.Ports ?? {})) {
    const hostPort = bindings?.[0]?.HostPort;
    if (hostPort) ports.set(containerPort, Number(hostPort));
  }
  const networks = new Map<string, string[]>();
  for (const [name, endpoint] of Object.entries(info.NetworkSettings.Networks ?? {}))
    networks.set(name, endpoint.Aliases ?? []);
  return {
    id: info.Id,
    service: info.Config.Labels?.[SERVICE_LABEL] ?? info.Name.replace(/^\//, ''),
    state: info.State.Status,
    health: info.State.Health?.Status,
    ports,
    exitCode: info.State.ExitCode,
    networks,
  };
}

/** Every container of the project, inspected, by compose service name (one container per service). */
export async function inspectProject(
  docker: Docker,
  project: string,
): Promise<Map<string, ProjectContainer>> {
  const listed = await projectContainers(docker, project);
  const inspected = await Promise.all(
    listed.map(async (container) => {
      try {
        return fromInspect(await docker.getContainer(container.Id).inspect());
      } catch {
        return undefined; // Removed between list and inspect.
      }
    }),
  );
  const byService = new Map<string, ProjectContainer>();
  for (const container of inspected) if (container) byService.set(container.service, container);
  return byService;
}

/** Healthy = its health check passes, or it runs and has none. */
export function isHealthy(container: ProjectContainer): boolean {
  if (container.state !== 'running') return false;
  return container.health === undefined || container.health === 'healthy';
}

export function processState(container: ProjectContainer): ProcessState {
  switch (container.state) {
    case 'running':
    case 'restarting':
      return 'running';
    case 'paused':
      return 'paused';
    case 'created':
      return 'stopped';
    default:
      return 'exited';
  }
}
