import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { ExitCode, LabError } from '../../errors.ts';

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

/**
 * Where allocated ports come from: below the kernel's ephemeral range. A port from `listen(0)` is
 * an ephemeral one, and between allocating it and the piece binding it, any process's outgoing
 * connection may take it as its source port (seen: EADDRINUSE at bind).
 */
const ALLOCATION_FLOOR = 20_000;
function allocationCeiling(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
    const ephemeralLow = Number(low);
    if (Number.isInteger(ephemeralLow) && ephemeralLow > ALLOCATION_FLOOR + 1000) return ephemeralLow - 1;
  } catch {
    // Not Linux: macOS and Windows hand out ephemeral ports from 49152 up.
  }
  return 32_767;
}

/**
 * `count` distinct free ports on 127.0.0.1, chosen at random below the ephemeral range. All are
 * held open until every one is chosen, so none is handed out twice.
 */
export async function allocatePorts(count: number): Promise<number[]> {
  const ceiling = allocationCeiling();
  const servers = new Map<number, Server>();
  try {
    for (let tries = 0; servers.size < count; tries++) {
      if (tries > count * 50)
        throw new Error(`no ${count} free ports between ${ALLOCATION_FLOOR} and ${ceiling}`);
      const port = ALLOCATION_FLOOR + Math.floor(Math.random() * (ceiling - ALLOCATION_FLOOR + 1));
      if (servers.has(port)) continue;
      const server = await listen(port).catch(() => undefined);
      if (server) servers.set(port, server);
    }
    return [...servers.keys()];
  } finally {
    await Promise.all([...servers.values()].map(close));
  }
}

/** A fixed port someone asked for: refuse early and specifically when another process holds it. */
export async function assertPortFree(port: number, owner: string): Promise<void> {
  try {
    await close(await listen(port));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new LabError(
      'E_PORT_TAKEN',
      `port ${port} for ${owner} is already in use on 127.0.0.1${code && code !== 'EADDRINUSE' ? ` (${code})` : ''}.`,
      {
        exitCode: ExitCode.infrastructure,
        hint: `Free it (ss -ltnp 'sport = :${port}' shows who holds it) or choose another port.`,
      },
    );
  }
}
