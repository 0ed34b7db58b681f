/**
 * The console process: `lab up` and `lab ui` start it detached (launch.ts), like the stack's own
 * pieces. It serves one lab home's stack on 127.0.0.1 and exits by itself once that stack is gone
 * (`lab down` needs to know nothing about it), except while it is recreating the stack itself.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { labHome } from '../home.ts';
import { adminToken } from '../runtime/home-secrets.ts';
import { LocalRuntime } from '../runtime/local/local-runtime.ts';
import { procInfo } from '../runtime/local/proc.ts';
import { runtimeOfRunningStack } from '../runtime/select.ts';
import type { Runtime } from '../runtime/types.ts';
import { ConsoleHub } from './hub.ts';
import { removeConsoleRecord, writeConsoleRecord } from './record.ts';
import { createConsoleServer } from './server.ts';

const WATCH_MS = 3000;

async function stackIsUp(runtime: Runtime, home: string): Promise<boolean> {
  // The local check reads a file and /proc only: an idle console stays nearly free.
  if (runtime.name === 'local') return new LocalRuntime({ home }).liveState() !== undefined;
  return (await runtime.status().catch(() => undefined))?.running ?? false;
}

async function main(): Promise<void> {
  const home = labHome();
  const runtime = await runtimeOfRunningStack();
  const hub = new ConsoleHub({ runtime, adminToken: adminToken(home) });
  let port = Number(process.env.LAB_UI_PORT ?? 0);
  const app = createConsoleServer({ hub, port: () => port });
  await app.listen({ host: '127.0.0.1', port });
  const address = app.server.address();
  if (address && typeof address === 'object') port = address.port;
  writeConsoleRecord(home, {
    pid: process.pid,
    startTime: procInfo(process.pid)?.startTime ?? 0,
    port,
    startedAt: new Date().toISOString(),
  });
  process.stdout.write(`lab console listening on http://127.0.0.1:${port}/ for ${home}\n`);

  let stopping = false;
  const stop = async (why: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`lab console stopping: ${why}\n`);
    removeConsoleRecord(home, process.pid);
    await Promise.race([Promise.allSettled([hub.close(), app.close()]), sleep(5000)]);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  let missing = 0;
  while (!stopping) {
    await sleep(WATCH_MS);
    if (hub.snapshot.busy) {
      missing = 0;
      continue;
    }
    missing = (await stackIsUp(runtime, home)) ? 0 : missing + 1;
    if (missing >= 2) await stop('the stack is down');
  }
}

await main();
