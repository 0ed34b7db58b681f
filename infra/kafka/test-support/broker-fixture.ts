/** Starts a broker in this process on a free port with a fresh temp data dir, for tests. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningBroker, type StartBrokerOptions, startBroker } from '../broker.ts';
import { RawClient } from './raw-client.ts';

export interface BrokerFixture {
  broker: RunningBroker;
  dataDir: string;
  port: number;
  bootstrap: string;
  stop(): Promise<void>;
}

export function tempDataDir(prefix = 'lab-kafka-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startTestBroker(options: Partial<StartBrokerOptions> = {}): Promise<BrokerFixture> {
  const dataDir = options.dataDir ?? tempDataDir();
  const broker = await startBroker({ ...options, dataDir });
  const port = (broker.listeners[0] as { port: number }).port;
  return {
    broker,
    dataDir,
    port,
    bootstrap: `127.0.0.1:${port}`,
    async stop() {
      await broker.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Runs `use` with a raw client on a fresh test broker; the client and the broker stop whatever `use` does. */
export async function withRawClient<T>(
  options: Partial<StartBrokerOptions>,
  use: (client: RawClient, fixture: BrokerFixture) => Promise<T>,
): Promise<T> {
  const fixture = await startTestBroker(options);
  try {
    const client = await RawClient.connect(fixture.port);
    try {
      return await use(client, fixture);
    } finally {
      client.close();
    }
  } finally {
    await fixture.stop();
  }
}
