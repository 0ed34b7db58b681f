/**
 * Starts the console for a lab home as a detached process of the lab's own tree (its log in
 * `<home>/logs/console.log`), or finds the one already running.
 */
import module from 'node:module';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { infrastructureFailure } from '../../common/errors.ts';
import { allocatePorts } from '../runtime/local/ports.ts';
import { startProcess, waitHealthy } from '../runtime/local/supervisor.ts';
import { type ConsoleRecord, liveConsole } from './record.ts';

const ENTRY = path.join(import.meta.dirname, 'main.ts');
const PASSED_ENV = ['LAB_ADMIN_TOKEN', 'DOCKER_HOST', 'LAB_RUNTIME'] as const;

/**
 * Stripping TypeScript types loads a WebAssembly compiler into a process (about 20 MB it keeps for
 * its lifetime). The console lives as long as its stack, so this process, which has the compiler
 * loaded anyway, compiles every module the console will load into Node's compile cache
 * (bin/lab enables it); the console then finds them all there and never loads the compiler.
 */
async function compileConsoleModules(): Promise<void> {
  // Node before 22.10 has no flushCompileCache: the console then compiles for itself.
  if (!module.getCompileCacheDir?.() || !module.flushCompileCache) return;
  await Promise.all([import('./main.ts'), import('./hub.ts'), import('../runtime/select.ts')]);
  module.flushCompileCache();
}

export async function ensureConsole(home: string, options: { port?: number } = {}): Promise<ConsoleRecord> {
  const running = liveConsole(home);
  if (running) return running;
  await compileConsoleModules();
  const port = options.port ?? (Number(process.env.LAB_UI_PORT) || 0);
  const chosen = port > 0 ? port : (await allocatePorts(1))[0]!;
  const env: Record<string, string> = { LAB_HOME: home, LAB_UI_PORT: String(chosen) };
  for (const key of PASSED_ENV) if (process.env[key]) env[key] = process.env[key];
  const flags = process.features.typescript
    ? []
    : ['--experimental-strip-types', '--disable-warning=ExperimentalWarning'];
  const record = await startProcess(
    {
      name: 'console',
      kind: 'infra',
      command: process.execPath,
      args: [...flags, ENTRY],
      env,
      cwd: home,
      port: chosen,
      ports: { http: chosen },
      health: { type: 'http', url: `http://127.0.0.1:${chosen}/healthz` },
    },
    { logDir: path.join(home, 'logs') },
  );
  try {
    await waitHealthy(record, { deadlineMs: 30_000 });
  } catch (error) {
    throw infrastructureFailure(
      'E_CONSOLE_START',
      `the console did not start: ${(error as Error).message}`,
      `See ${record.logFile}.`,
      error,
    );
  }
  // The console writes its record right after it starts listening: a moment after it answers.
  let started = liveConsole(home);
  for (let attempt = 0; !started && attempt < 40; attempt++) {
    await sleep(50);
    started = liveConsole(home);
  }
  if (!started)
    throw infrastructureFailure(
      'E_CONSOLE_START',
      'the console started but wrote no record',
      `See ${record.logFile}.`,
    );
  return started;
}
