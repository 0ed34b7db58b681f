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
 * `count` distinct free ports on 127.0.0.1. All are held open until every one is chosen, so the
 * kernel cannot hand out the same port twice.
 */
export async function allocatePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) servers.push(await listen(0));
    return servers.map((server) => {
      const address = server.address();
      if (typeof address !== 'object' || !address) throw new Error('no address for a listening socket');
      return address.port;
    });
  } finally {
    await Promise.all(servers.map(close));
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
