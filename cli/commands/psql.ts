/**
 * `lab psql <service>`: psql on that service's own database, as the service's role, for learners
 * who want to look at the outbox, the inbox and the saga's rows. The URL (with its password) comes
 * from the 0600 state file; it is printed only with --show-secret.
 */
import { spawn } from 'node:child_process';
import type { Command } from 'commander';
import { closest } from 'fastest-levenshtein';
import { badInput, infrastructureFailure } from '../../common/errors.ts';
import { DATABASE_SERVICES, type DatabaseServiceName } from '../../common/roster.ts';

function databaseService(typed: string): DatabaseServiceName {
  if ((DATABASE_SERVICES as readonly string[]).includes(typed)) return typed as DatabaseServiceName;
  throw badInput(
    'E_UNKNOWN_NAME',
    `'${typed}' has no database${typed === 'gateway' ? ' (the gateway owns none)' : ''}.`,
    `The closest is '${closest(typed, [...DATABASE_SERVICES])}'. Services with a database: ${DATABASE_SERVICES.join(', ')}.`,
  );
}

export function registerPsql(program: Command): void {
  program
    .command('psql')
    .description("open psql on a service's database (its own role and password)")
    .argument('<service>', DATABASE_SERVICES.join(' | '))
    .option('--show-secret', 'print the full connection URL (with the password) instead of opening psql')
    .option('-c, --command <sql>', 'run one SQL command and exit (psql -c)')
    .action(async (typed: string, options: { showSecret?: boolean; command?: string }) => {
      const service = databaseService(typed);
      const { runtimeOfRunningStack } = await import('../runtime/select.ts');
      const url = (await (await runtimeOfRunningStack()).endpoints()).databases[service];
      if (options.showSecret) {
        process.stdout.write(`${url}\n`);
        return;
      }
      const psql = process.env.LAB_PSQL ?? 'psql';
      const args = [url, ...(options.command ? ['-c', options.command] : [])];
      process.exitCode = await new Promise<number>((resolve, reject) => {
        const child = spawn(psql, args, { stdio: 'inherit' });
        child.once('error', (error: NodeJS.ErrnoException) =>
          reject(
            error.code === 'ENOENT'
              ? infrastructureFailure(
                  'E_NO_PSQL',
                  'psql is not installed (or not on PATH).',
                  `Install the PostgreSQL client (Debian: apt-get install postgresql-client), or connect with any client to the URL \`lab psql ${service} --show-secret\` prints.`,
                )
              : error,
          ),
        );
        // psql handles Ctrl-C itself (it cancels the query); lab only waits for it.
        process.on('SIGINT', () => {});
        child.once('exit', (code) => resolve(code ?? 1));
      });
    });
}
