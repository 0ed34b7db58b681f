import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ExitCode, LabError } from '../../../common/errors.ts';
import { bindError } from '../../../infra/ports.ts';

// The allocator lives in infra (infra/postgres and test support use it too, and infra never imports cli).
export { allocatePorts } from '../../../infra/ports.ts';

/** A fixed port someone asked for: refuse early and specifically when another process holds it. */
export async function assertPortFree(port: number, owner: string): Promise<void> {
  const error = await bindError(port);
  if (!error) return;
  const code = error.code;
  throw new LabError(
    'E_PORT_TAKEN',
    `port ${port} for ${owner} is already in use on 127.0.0.1${code && code !== 'EADDRINUSE' ? ` (${code})` : ''}.`,
    {
      exitCode: ExitCode.infrastructure,
      hint: `Free it (ss -ltnp 'sport = :${port}' shows who holds it) or choose another port.`,
      cause: error,
    },
  );
}

type PortMap = Record<string, Record<string, number>>;

/** `.lab/ports.json`: the ports of this home's last `lab up`; it outlives `lab down`. */
function portsFile(home: string): string {
  return path.join(home, 'ports.json');
}

export function readPreviousPorts(home: string): PortMap {
  try {
    return JSON.parse(readFileSync(portsFile(home), 'utf8')) as PortMap;
  } catch {
    return {};
  }
}

export function writePreviousPorts(home: string, ports: PortMap): void {
  writeFileSync(portsFile(home), `${JSON.stringify(ports, null, 2)}\n`);
}
