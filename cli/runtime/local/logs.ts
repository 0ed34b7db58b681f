import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface LogSource {
  name: string;
  file: string;
}

interface Cursor extends LogSource {
  offset: number;
  /** An incomplete last line, held back until its newline arrives. */
  partial: string;
}

function readFrom(cursor: Cursor): string {
  let size: number;
  try {
    size = statSync(cursor.file).size;
  } catch {
    return '';
  }
  // Truncated or replaced (a purge): start over.
  if (size < cursor.offset) cursor.offset = 0;
  if (size === cursor.offset) return '';
  const buffer = Buffer.alloc(size - cursor.offset);
  const fd = openSync(cursor.file, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, cursor.offset);
  } finally {
    closeSync(fd);
  }
  cursor.offset = size;
  return buffer.toString('utf8');
}

function emit(
  cursor: Cursor,
  text: string,
  options: { prefix: boolean; write: (chunk: string) => void },
): void {
  const lines = (cursor.partial + text).split('\n');
  cursor.partial = lines.pop() ?? '';
  if (lines.length === 0) return;
  const prefix = options.prefix ? `${cursor.name} | ` : '';
  options.write(`${lines.map((line) => prefix + line).join('\n')}\n`);
}

/**
 * Prints each log (prefixed by its name when there are several), then, with `follow`, keeps
 * printing what is appended until `signal` aborts.
 */
export async function followLogs(
  sources: LogSource[],
  options: { follow: boolean; prefix: boolean; write: (chunk: string) => void; signal?: AbortSignal },
): Promise<void> {
  const cursors: Cursor[] = sources.map((source) => ({ ...source, offset: 0, partial: '' }));
  for (const cursor of cursors) emit(cursor, readFrom(cursor), options);
  if (!options.follow) {
    for (const cursor of cursors) if (cursor.partial) emit(cursor, '\n', options);
    return;
  }
  while (!options.signal?.aborted) {
    await sleep(200);
    for (const cursor of cursors) emit(cursor, readFrom(cursor), options);
  }
}
