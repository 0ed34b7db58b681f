/**
 * `db_crash`: PostgreSQL dies at once (SIGKILL to the postmaster and every backend in the local
 * runtime, the container's kill in the docker runtime) and starts again after `restart_after`,
 * running crash recovery from the WAL. Nothing committed may be lost: the services' pools see
 * their connections fail and reconnect on their own, without being restarted.
 */
import { stackCrashFault } from './process.ts';

export const dbCrash = stackCrashFault({
  kind: 'db_crash',
  summary: 'PostgreSQL is SIGKILLed and restarted after `restart_after` (default 2s): crash recovery',
  process: 'postgres',
  option: 'restart_after',
  killed: (ms) => `PostgreSQL killed, back in ${ms}ms`,
});
