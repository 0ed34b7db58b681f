import type { Command } from 'commander';
import { notYetAvailable } from '../not-yet.ts';

const PROCESS_FAULTS = [
  { name: 'kill', description: 'kill a service with SIGKILL (container: docker kill)' },
  { name: 'restart', description: 'stop a service and start it again' },
  { name: 'pause', description: 'freeze a service (SIGSTOP / docker pause)' },
  { name: 'resume', description: 'unfreeze a paused service (SIGCONT / docker unpause)' },
] as const;

export function registerProcessFaults(program: Command): void {
  for (const fault of PROCESS_FAULTS) {
    program
      .command(fault.name)
      .description(fault.description)
      .argument('<service>', 'a service or infra piece (postgres, kafka, fault-proxy)')
      .action(notYetAvailable(fault.name, 'foundation'));
  }
}
