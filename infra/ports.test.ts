/**
 * The port allocator: ports below the kernel's ephemeral range (which no outgoing connection takes
 * as its source port between allocation and bind), distinct, and bindable.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { describe, expect, it } from 'vitest';
import { allocatePorts, bindError } from './ports.ts';
import { PostgresCluster } from './postgres/cluster.ts';

const ephemeralLow = Number(
  readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
);

function hold(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

describe.runIf(process.platform === 'linux')('allocatePorts', () => {
  it('gives distinct ports below the ephemeral range that can be bound', async () => {
    const ports = await allocatePorts(30);
    expect(new Set(ports).size).toBe(30);
    for (const port of ports) {
      expect(port).toBeLessThan(ephemeralLow);
      expect(await bindError(port)).toBeUndefined();
    }
  });

  it('bindError names why a port cannot be bound', async () => {
    const [port] = await allocatePorts(1);
    const holder = await hold(port ?? 0);
    try {
      expect((await bindError(port ?? 0))?.code).toBe('EADDRINUSE');
    } finally {
      holder.close();
    }
  });

  it("a PostgreSQL cluster's own port comes from it too (it binds it only when the postmaster starts)", async () => {
    const cluster = new PostgresCluster({ dataDir: '/nonexistent/pg', binDir: '/nonexistent/bin' });
    expect(await cluster.assignPort()).toBeLessThan(ephemeralLow);
  });
});
