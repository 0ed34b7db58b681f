import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { ExitCode, LabError } from '../../../common/errors.ts';
import { isPidAlive } from '../pids.ts';

/**
 * One `lab up` at a time per lab home: two shells racing would each start a stack. The lock file
 * holds the owner's pid; a lock whose owner died is taken over.
 */
export function acquireUpLock(home: string): () => void {
  const file = path.join(home, 'up.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => rmSync(file, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let owner = Number.NaN;
    try {
      owner = Number(readFileSync(file, 'utf8'));
    } catch {
      // Released in between: try again.
    }
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isPidAlive(owner))
      throw new LabError(
        'E_UP_IN_PROGRESS',
        `another \`lab up\` (pid ${owner}) is starting a stack in ${home}.`,
        {
          exitCode: ExitCode.infrastructure,
          hint: 'Wait for it (`lab status`), or interrupt it with `lab down`.',
        },
      );
    rmSync(file, { force: true });
  }
  throw new LabError('E_UP_IN_PROGRESS', `could not take the lock ${file}.`, {
    exitCode: ExitCode.infrastructure,
  });
}
