import type { Command } from 'commander';
import type { Runtime } from '../runtime/types.ts';

const PROCESS_FAULTS = [
  {
    name: 'kill',
    description: 'kill a service with SIGKILL (container: docker kill)',
    run: (runtime: Runtime, target: string) => runtime.kill(target),
    done: 'killed',
  },
  {
    name: 'stop',
    description: 'stop a service cleanly: its stop signal, SIGKILL after 10 s (container: docker stop)',
    run: (runtime: Runtime, target: string) => runtime.stop(target),
    done: 'stopped',
  },
  {
    name: 'restart',
    description: 'stop a service and start it again',
    run: (runtime: Runtime, target: string) => runtime.restart(target),
    done: 'restarted (healthy)',
  },
  {
    name: 'pause',
    description: 'freeze a service (SIGSTOP / docker pause)',
    run: (runtime: Runtime, target: string) => runtime.pause(target),
    done: 'paused',
  },
  {
    name: 'resume',
    description: 'unfreeze a paused service (SIGCONT / docker unpause)',
    run: (runtime: Runtime, target: string) => runtime.resume(target),
    done: 'resumed',
  },
] as const;

export function registerProcessFaults(program: Command): void {
  for (const fault of PROCESS_FAULTS) {
    program
      .command(fault.name)
      .description(fault.description)
      .argument('<service>', 'a service or infra piece (postgres, kafka, fault-proxy)')
      .action(async (target: string) => {
        const { runtimeOfRunningStack } = await import('../runtime/select.ts');
        await fault.run(await runtimeOfRunningStack(), target);
        process.stdout.write(`${target}: ${fault.done}\n`);
      });
  }
}
