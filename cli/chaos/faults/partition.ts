/**
 * `partition`: a real network partition, docker runtime only. The service's container is
 * disconnected from the stack's network: it keeps running, its connections break, nothing reaches
 * it and it reaches nothing (unlike `down` on one link, which the fault proxy simulates). Healed by
 * connecting it again under its service name.
 */

import { ExitCode, LabError } from '../../../common/errors.ts';
import type { Runtime } from '../../runtime/types.ts';
import { once, targetFault } from './types.ts';

/** What the docker runtime offers beyond the Runtime contract (cli/runtime/docker/docker-runtime.ts). */
interface PartitionableRuntime extends Runtime {
  partition(target: string): Promise<() => Promise<void>>;
}

function canPartition(runtime: Runtime): runtime is PartitionableRuntime {
  return typeof (runtime as Partial<PartitionableRuntime>).partition === 'function';
}

export const partition = targetFault({
  kind: 'partition',
  summary: "docker runtime only: the service's container is cut off the stack's network for `for`",
  timing: 'windowed',
  field: 'service',
  sampled: false,
  async apply(service, context) {
    if (!canPartition(context.runtime))
      throw new LabError(
        'E_PARTITION_NEEDS_DOCKER',
        `the partition fault needs the docker runtime (a container network to cut); this run uses the ${context.runtime.name} runtime.`,
        {
          exitCode: ExitCode.badInput,
          hint: `Run it with --runtime docker, or cut the service's links instead: down: { link: ${service}.db } and down: { link: ${service}.kafka }.`,
        },
      );
    const heal = await context.runtime.partition(service);
    context.log(`partitioned ${service} from the network`);
    return { heal: once(heal) };
  },
});
