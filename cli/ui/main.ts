/**
 * The console process: `lab up` and `lab ui` start it detached (launch.ts), like the stack's own
 * pieces. It serves one lab home's stack on 127.0.0.1 and exits by itself once that stack is gone
 * (`lab down` needs to know nothing about it), except while it is recreating the stack itself.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { labHome } from '../home.ts';
import { adminToken } from '../runtime/home-secrets.ts';
import { isSameLiveProcess, procInfo } from '../runtime/local/proc.ts';
import { readState } from '../runtime/local/state.ts';
import type { ConsoleHub } from './hub.ts';
import { removeConsoleRecord, writeConsoleRecord } from './record.ts';
import { createConsoleServer } from './server.ts';

const WATCH_MS = 3000;

/**
 * A local stack is read from its state file and /proc only (an idle console stays nearly free and
 * loads no runtime); any other is asked through its runtime.
 */
async function stackIsUp(home: string): Promise<boolean> {
  const state = readState(home);
  if (state) return state.processes.some((record) => isSameLiveProcess(record.pid, record.startTime));
  const { runtimeOfRunningStack } = await import('../runtime/select.ts');
  return (await (await runtimeOfRunningStack()).status().catch(() => undefined))?.running ?? false;
}

/** The hub and what it needs (kafkajs, pg, the runtimes) are loaded when a browser first asks. */
function lazyHub(home: string): { get(): Promise<ConsoleHub>; current(): ConsoleHub | undefined } {
  let hub: ConsoleHub | undefined;
  let loading: Promise<ConsoleHub> | undefined;
  return {
    get: () => {
      loading ??= (async () => {
        const { runtimeOfRunningStack } = await import('../runtime/select.ts');
        const { ConsoleHub } = await import('./hub.ts');
        hub = new ConsoleHub({ runtime: await runtimeOfRunningStack(), adminToken: adminToken(home), home });
        return hub;
      })();
      return loading;
    },
    current: () => hub,
  };
}

export async function runConsole(): Promise<void> {
  const home = labHome();
  const hub = lazyHub(home);
  let port = Number(process.env.LAB_UI_PORT ?? 0);
  const app = createConsoleServer({ secret: adminToken(home), hub: hub.get, port: () => port });
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
    await Promise.race([Promise.allSettled([hub.current()?.close(), app.close()]), sleep(5000)]);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  let missing = 0;
  while (!stopping) {
    await sleep(WATCH_MS);
    if (hub.current()?.snapshot.busy) {
      missing = 0;
      continue;
    }
    missing = (await stackIsUp(home)) ? 0 : missing + 1;
    if (missing >= 2) await stop('the stack is down');
  }
}

// The lab process imports this module to compile it into Node's compile cache (launch.ts) without
// starting a console; only the console process, which runs this file, starts one.
if (process.argv[1] === import.meta.filename) await runConsole();
