/**
 * Free TCP ports on 127.0.0.1 for a process that binds them later (a child, a container, a server
 * started after a restart): the lab's one allocator, shared by the runtimes, infra and tests.
 *
 * Why not `listen(0)` and close: that hands out an ephemeral port, and between closing it and the
 * piece binding it, any process's outgoing connection may take it as its source port (seen:
 * EADDRINUSE at bind in CI). Ports here are chosen below the kernel's ephemeral range, which the
 * kernel never picks as a source port.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';

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

/** One free port, as allocatePorts. Several at once: allocatePorts(n), so none repeats. */
export async function allocatePort(): Promise<number> {
  const [port] = await allocatePorts(1);
  if (port === undefined) throw new Error('no free port');
  return port;
}

/** undefined when `port` on 127.0.0.1 can be bound now, else the bind error (EADDRINUSE, EACCES). */
export async function bindError(port: number): Promise<NodeJS.ErrnoException | undefined> {
  try {
    await close(await listen(port));
    return undefined;
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
}
