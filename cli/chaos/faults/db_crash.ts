/**
 * `db_crash`: PostgreSQL dies at once (SIGKILL to the postmaster and every backend in the local
 * runtime, the container's kill in the docker runtime) and starts again after `restart_after`,
 * running crash recovery from the WAL. Nothing committed may be lost: the services' pools see
 * their connections fail and reconnect on their own, without being restarted.
 */
import { z } from 'zod';
import { duration } from '../fields.ts';
import { ensureRunning } from './process.ts';
import { defineFault, once } from './types.ts';

/** The database's name in the runtime (INFRA in common/roster.ts). */
const DATABASE = 'postgres';

export const dbCrash = defineFault({
  kind: 'db_crash',
  summary: 'PostgreSQL is SIGKILLed and restarted after `restart_after` (default 2s): crash recovery',
  timing: 'instant',
  options: z.strictObject({ restart_after: duration.default(2000) }),
  target: () => DATABASE,
  targetType: 'stack',
  sample: (_random, _target, windowMs) => ({ restart_after: `${windowMs}ms` }),
  endsAfterMs: (options) => options.restart_after,
  async apply(options, context) {
    await context.runtime.kill(DATABASE);
    context.log(`PostgreSQL killed, back in ${options.restart_after}ms`);
    return { heal: once(() => ensureRunning(context.runtime, DATABASE)) };
  },
});
