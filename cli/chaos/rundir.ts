/** Copies of the stack's logs into the run directory, so a run can be read after the stack is gone. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Runtime } from '../runtime/types.ts';

/** Logs cover the stack's whole life; a run keeps the most recent part of each. */
const MAX_LOG_BYTES = 2 * 1024 * 1024;

export async function collectLogs(runtime: Runtime, dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const status = await runtime.status();
  for (const process of status.processes) {
    const chunks: string[] = [];
    let size = 0;
    try {
      await runtime.logs(process.name, {
        follow: false,
        write: (chunk) => {
          chunks.push(chunk);
          size += chunk.length;
          while (size > MAX_LOG_BYTES && chunks.length > 1) size -= chunks.shift()!.length;
        },
      });
    } catch {
      continue;
    }
    writeFileSync(path.join(dir, `${process.name}.log`), chunks.join(''));
  }
}
