import { chmodSync, chownSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { ExitCode, LabError } from '../../common/errors.ts';

/** The OS identity PostgreSQL runs as; undefined when we are not root (then it runs as us). */
export interface OsIdentity {
  uid: number;
  gid: number;
  name: string;
}

/** initdb and postgres refuse to run as root, so as root the cluster belongs to the `postgres` user. */
export function postgresIdentity(): OsIdentity | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (uid === undefined || gid === undefined)
    throw new LabError(
      'E_NO_POSTGRES_USER',
      'running as root, but there is no `postgres` OS user to run PostgreSQL as.',
      {
        exitCode: ExitCode.infrastructure,
        hint: 'Create it (useradd --system --user-group postgres; the postgresql package does this) or run lab as a normal user.',
      },
    );
  return { uid: Number(uid), gid: Number(gid), name: 'postgres' };
}

export function giveTo(identity: OsIdentity | undefined, file: string): void {
  if (identity) chownSync(file, identity.uid, identity.gid);
}

/**
 * The postgres user must be able to walk down to the data directory. Directories we own on the way
 * (a 0700 mkdtemp, LAB_HOME) get the search bit for others: no listing, just traversal.
 */
export function makeTraversable(identity: OsIdentity | undefined, dir: string): void {
  if (!identity) return;
  let current = path.dirname(path.resolve(dir));
  for (;;) {
    const stat = statSync(current);
    if ((stat.mode & 0o001) === 0 && stat.uid === process.getuid?.())
      chmodSync(current, (stat.mode & 0o7777) | 0o001);
    const parent = path.dirname(current);
    if (parent === current) return;
    current = parent;
  }
}
